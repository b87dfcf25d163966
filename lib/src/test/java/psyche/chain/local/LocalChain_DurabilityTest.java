package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static psyche.chain.local.SolanajTransactions.b58;
import static psyche.chain.local.SolanajTransactions.sign;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.programs.SystemProgram;

import psyche.chain.Rent;
import psyche.coordinator.Hashing;
import psyche.chain.rpc.Commitment;
import psyche.chain.rpc.RpcClient;
import psyche.chain.rpc.RpcTypes;
import psyche.coordinator.Pubkey;

/** A confirmed transaction survives kill -9: the chain runs in a child JVM that the test kills and restarts. */
class LocalChain_DurabilityTest {
    private static final long SOL = Rent.LAMPORTS_PER_SOL;
    private static final Pattern URL = Pattern.compile("JSON RPC URL (http://127\\.0\\.0\\.1:\\d+)");

    /** A local-validator child process and its RPC URL. */
    private record Child(Process process, String url) implements AutoCloseable {
        @Override public void close() throws InterruptedException {
            if (process.isAlive()) process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static Child startChild(Path ledger) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", classpath, "psyche.cli.RunManager", "local-validator",
                "--ledger", ledger.toString(), "--rpc-port", "0").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) break;
            seen.append(line).append('\n');
            Matcher m = URL.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> { try { while (out.readLine() != null) { /* keep the pipe empty */ } } catch (IOException ignored) { } });
                drain.setDaemon(true);
                drain.start();
                return new Child(process, m.group(1));
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("local-validator did not start:\n" + seen);
    }

    private static RpcClient client(String url) {
        return RpcClient.builder().optEndpoint(url).optPollInterval(Duration.ofMillis(20)).optMaxRetries(2).build();
    }

    @Test void killDashNineLosesNothingConfirmed(@TempDir Path dir) throws Exception {
        Path ledger = dir.resolve("ledger");
        Map<String, Long> expected = new LinkedHashMap<>();
        List<String> signatures = new ArrayList<>();
        try (Child child = startChild(ledger)) {
            RpcClient rpc = client(child.url());
            Account payer = new Account();
            rpc.confirm(rpc.requestAirdrop(b58(payer), 100 * SOL), Commitment.CONFIRMED, 0);
            List<Account> receivers = new ArrayList<>();
            for (int i = 0; i < 8; i++) receivers.add(new Account());
            // concurrent senders: confirmations arrive through group commits
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<String>> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Account to = receivers.get(i % receivers.size());
                long amount = SOL / 100 + i;
                sent.add(pool.submit(() -> rpc.sendAndConfirm(bh -> sign(bh, List.of(payer),
                        SystemProgram.transfer(payer.getPublicKey(), to.getPublicKey(), amount)))));
                expected.merge(b58(to), amount, Long::sum);
            }
            for (Future<String> f : sent) signatures.add(f.get(60, TimeUnit.SECONDS));
            pool.shutdown();
            expected.put(b58(payer), rpc.getBalance(b58(payer)));
            child.process().destroyForcibly().waitFor(20, TimeUnit.SECONDS); // kill -9, no shutdown hook
        }
        try (Child child = startChild(ledger)) {
            RpcClient rpc = client(child.url());
            for (Map.Entry<String, Long> e : expected.entrySet()) assertEquals(e.getValue(), rpc.getBalance(e.getKey()), e.getKey());
            List<RpcTypes.SignatureStatus> statuses = rpc.getSignatureStatuses(signatures);
            for (RpcTypes.SignatureStatus s : statuses) {
                assertNotNull(s, "every confirmed signature is known after the restart");
                assertTrue(s.succeeded());
            }
            assertNotNull(rpc.getTransaction(signatures.get(0)));
            // a clean stop (SIGTERM) writes a snapshot; the third start reads it
            child.process().destroy();
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.size(ledger.resolve("snapshot.bin")) > 0);
        assertEquals(LedgerStore.WAL_HEADER_BYTES, Files.size(ledger.resolve("wal.log")), "a clean shutdown folds the log into the snapshot");
        try (Child child = startChild(ledger)) {
            RpcClient rpc = client(child.url());
            for (Map.Entry<String, Long> e : expected.entrySet()) assertEquals(e.getValue(), rpc.getBalance(e.getKey()), e.getKey());
            assertTrue(rpc.getSignatureStatuses(signatures).stream().allMatch(s -> s != null && s.succeeded()));
        }
    }

    @Test void tornLogTailIsCutOffAndEarlierRecordsKept(@TempDir Path dir) throws Exception {
        Path ledger = dir.resolve("ledger");
        Pubkey target = Pubkey.of(Hashing.sha256("target".getBytes()));
        Clock clock = Clock.systemUTC();
        try (Ledger first = Ledger.open(ledger, false, clock, List.of())) {
            first.airdrop(target, 7 * SOL);
            // simulate a crash: copy the files as they are before close() snapshots them
            copy(ledger, dir.resolve("crashed"));
        }
        Path crashed = dir.resolve("crashed");
        Files.write(crashed.resolve("wal.log"), new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND); // half a record
        try (Ledger again = Ledger.open(crashed, false, clock, List.of())) {
            assertEquals(7 * SOL, again.account(target).lamports());
        }
        try (Ledger third = Ledger.open(crashed, false, clock, List.of())) {
            assertEquals(7 * SOL, third.account(target).lamports());
        }
    }

    @Test void secondProcessOnTheSameLedgerIsRefused(@TempDir Path dir) {
        try (Ledger first = Ledger.open(dir, false, Clock.systemUTC(), List.of())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Ledger.open(dir, false, Clock.systemUTC(), List.of()));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertNotNull(first.faucet());
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("ledger.lock")) Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
