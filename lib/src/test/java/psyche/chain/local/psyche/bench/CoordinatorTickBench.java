package psyche.chain.local.psyche.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.NativeInstructions;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.Transaction;
import psyche.chain.local.Ledger;
import psyche.chain.local.bench.ParallelItems;
import psyche.chain.local.LocalChain;
import psyche.chain.Rent;
import psyche.chain.local.WireTransaction;
import psyche.chain.rpc.RpcClient;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.coordinator.Pubkey;

/**
 * Confirmed coordinator {@code tick} transactions per second through the JSON-RPC server of a durable local chain
 * (sendTransaction with preflight: each tick decodes, runs and re-encodes the 119,160-byte coordinator account, and
 * the ledger writes it), sent with the JDK's HttpClient, against plain SOL transfers sent the same way to the same
 * chain in this run. All ticks hit one run, so they serialize on its account as on Solana. Transactions are signed
 * beforehand, each (payer, recent blockhash) pair used once.
 *
 * <p>Steady state: warm-up rounds of both kinds (the first, cold, round is printed too) until two consecutive
 * rounds of each kind agree within 10% (at least {@value #MIN_WARMUP_ROUNDS}, at most {@value #MAX_WARMUP_ROUNDS}
 * rounds), then one measured round of each kind.
 *
 * <p>Run (arguments: measured transactions per kind, concurrent senders, warm-up round size):
 * <pre>
 * mvn -o -q -pl lib test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp lib/target/classes:lib/target/test-classes:$(cat lib/target/cp.txt) psyche.chain.local.psyche.bench.CoordinatorTickBench 10000 16 2500
 * </pre>
 */
public final class CoordinatorTickBench {
    static final ProgramIds IDS = ProgramIds.MAINNET;
    static final int MIN_WARMUP_ROUNDS = 2;
    static final int MAX_WARMUP_ROUNDS = 8;
    static final double WARMUP_AGREEMENT = 0.10;
    /** Blockhashes at most this many slots old when signed: 60 slots (24 s) of validity left to send them. */
    static final int BLOCKHASH_AGE_SLOTS = 90;
    static final int PAYERS = 2_000;

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.exit(status); // the JDK HTTP client's threads would keep the JVM alive after a failure
    }

    static void run(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int warmupRound = args.length > 2 ? Integer.parseInt(args[2]) : 2_500;
        System.out.printf("coordinator tick benchmark: %,d measured transactions per kind, warm-up rounds of %,d, %d concurrent senders, %d cores%n",
                count, warmupRound, threads, Runtime.getRuntime().availableProcessors());
        try (Fixture fixture = new Fixture(threads)) {
            LocalChain chain = fixture.chain;
            Ledger ledger = chain.ledger();
            Pubkey[] run = fixture.run;
            Signer signer = fixture.signer;
            IxFactory transfer = fixture.transfer, tick = fixture.tick;
            HttpClient http = fixture.http;

            // warm-up until the figures settle (JIT, connection pools, page cache); every round printed
            List<Rate> warmTransfers = new ArrayList<>();
            List<Rate> warmTicks = new ArrayList<>();
            for (int round = 0; round < MAX_WARMUP_ROUNDS; round++) {
                warmTransfers.add(send(chain, http, signer.sign(warmupRound, transfer), threads));
                warmTicks.add(send(chain, http, signer.sign(warmupRound, tick), threads));
                System.out.printf("warm-up round %d%s: transfers %,8.0f tx/s, ticks %s%n", round, round == 0 ? " (cold)" : "",
                        warmTransfers.get(round).perSecond(), warmTicks.get(round));
                if (round + 1 >= MIN_WARMUP_ROUNDS && settled(warmTransfers) && settled(warmTicks)) break;
                if (round + 1 == MAX_WARMUP_ROUNDS) System.out.println("warm-up did not settle within 10%: the machine is noisy, figures below are too");
            }

            long nonceBefore = nonce(ledger, run[1]);
            Rate transfers = send(chain, http, signer.sign(count, transfer), threads);
            Rate ticks = send(chain, http, signer.sign(count, tick), threads);
            long applied = nonce(ledger, run[1]) - nonceBefore;
            if (applied != count) throw new IllegalStateException("expected " + count + " ticks applied, nonce moved " + applied);
            double transfersInProcess = submitInProcess(ledger, signer.sign(count, transfer), threads);
            double ticksInProcess = submitInProcess(ledger, signer.sign(count, tick), threads);
            System.out.printf("in-process submit (no HTTP/JSON), durable: transfers %,10.0f tx/s, ticks %,10.0f tx/s (%.2fx)%n",
                    transfersInProcess, ticksInProcess, ticksInProcess / transfersInProcess);
            System.out.printf("cold first round over JSON-RPC:            transfers %,10.0f tx/s, ticks %,10.0f tx/s%n",
                    warmTransfers.get(0).perSecond(), warmTicks.get(0).perSecond());
            System.out.printf("plain SOL transfers, confirmed (baseline): %s%n", transfers);
            System.out.printf("coordinator ticks, confirmed:              %s%n", ticks);
            System.out.printf("  CPU us per tick by thread group: %s%n", ticks.threadCpuMicros());
            System.out.printf("coordinator ticks, confirmed:              %,10.0f tx/s  (%.2fx of transfers, %.2fx of in-process ticks; target >= 2,000 tx/s: %s)%n",
                    ticks.perSecond(), ticks.perSecond() / transfers.perSecond(), ticks.perSecond() / ticksInProcess,
                    ticks.perSecond() >= 2_000 ? "met" : "NOT met");
        }
    }

    /** One durable chain with a run in WaitingForMembers and {@link #PAYERS} funded payers, in a temporary directory. */
    private static final class Fixture implements AutoCloseable {
        final Path dir;
        final LocalChain chain;
        final Pubkey[] run;
        final Signer signer;
        final IxFactory transfer, tick;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Fixture(int threads) throws Exception {
            dir = Files.createTempDirectory("bench-psyche");
            chain = LocalChain.builder().optLedgerDir(dir).optRpcPort(0).start();
            Ledger ledger = chain.ledger();
            Keypair owner = Keypair.generate();
            ledger.airdrop(owner.publicKey(), 1_000 * Rent.LAMPORTS_PER_SOL);
            run = createRun(ledger, owner);
            // enough payers for every round's (payer, blockhash) pairs to be fresh; funded concurrently (shared fsyncs)
            List<Keypair> payers = new ArrayList<>();
            for (int i = 0; i < PAYERS; i++) payers.add(Keypair.generate());
            ExecutorService funding = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> funded = new ArrayList<>();
                for (Keypair k : payers) funded.add(funding.submit(() -> ledger.airdrop(k.publicKey(), 1_000 * Rent.LAMPORTS_PER_SOL)));
                for (Future<?> f : funded) f.get();
            } finally {
                funding.shutdown();
            }
            signer = new Signer(ledger, payers);
            Pubkey sink = Keypair.generate().publicKey();
            NativeInstructions natives = new NativeInstructions(IDS);
            CoordinatorInstructions coordinator = new CoordinatorInstructions(IDS);
            transfer = (p, n) -> natives.transfer(p, sink, Rent.LAMPORTS_PER_SOL / 100 + n); // n: distinct amounts
            tick = (p, n) -> coordinator.tick(p, run[0], run[1]);
        }

        @Override public void close() throws java.io.IOException {
            chain.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static Fixture fixture;

    /**
     * One window of {@code ticks} or {@code transfers} (confirmed per second over JSON-RPC) on one chain kept for every
     * window, for {@code bench/before-after}, which loads this class twice (an earlier commit's classes and this tree's)
     * and alternates their windows in one process.
     */
    public static synchronized double measure(String figure, int count, int threads) throws Exception {
        if (fixture == null) {
            Fixture kept = new Fixture(threads);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    kept.close();
                } catch (Exception ignored) {
                    // temp files only
                }
            }));
            fixture = kept;
        }
        IxFactory ix = switch (figure) {
            case "ticks" -> fixture.tick;
            case "transfers" -> fixture.transfer;
            default -> throw new IllegalArgumentException("no figure " + figure + ": ticks or transfers");
        };
        return send(fixture.chain, fixture.http, fixture.signer.sign(count, ix), threads).perSecond();
    }

    /** The last two figures agree within {@link #WARMUP_AGREEMENT} of the larger. */
    static boolean settled(List<Rate> rates) {
        if (rates.size() < 2) return false;
        double a = rates.get(rates.size() - 2).perSecond();
        double b = rates.get(rates.size() - 1).perSecond();
        return Math.abs(a - b) <= WARMUP_AGREEMENT * Math.max(a, b);
    }

    interface IxFactory { Instruction make(Pubkey payer, int i); }

    /** A run in WaitingForMembers (config from tiny.toml, unpaused, nobody joined): every tick succeeds, changing only the nonce. */
    static Pubkey[] createRun(Ledger ledger, Keypair owner) {
        CoordinatorInstructions coordinator = new CoordinatorInstructions(IDS);
        Keypair account = Keypair.generate();
        Pubkey instance = new Pdas(IDS).coordinatorInstance("bench").address();
        Path tiny = Path.of("../notebooks/configs/tiny.toml");
        RunConfig config = RunConfigs.read(tiny.toFile().exists() ? tiny : Path.of("notebooks/configs/tiny.toml"));
        submit(ledger, owner, List.of(new NativeInstructions(IDS).createAccount(owner.publicKey(), account.publicKey(),
                Rent.exemptMinimum(CoordinatorAccountCodec.SIZE), CoordinatorAccountCodec.SIZE, IDS.coordinator()),
                coordinator.initCoordinator(owner.publicKey(), account.publicKey(),
                        new CoordinatorInstructions.InitCoordinator(owner.publicKey(), owner.publicKey(), "bench", "test"))), account);
        submit(ledger, owner, List.of(coordinator.update(owner.publicKey(), instance, account.publicKey(),
                new CoordinatorInstructions.Update(Optional.empty(), Optional.of(config.config()), Optional.of(config.model()), Optional.empty())),
                coordinator.setPaused(owner.publicKey(), instance, account.publicKey(), false)));
        return new Pubkey[] {instance, account.publicKey()};
    }

    static void submit(Ledger ledger, Keypair payer, List<Instruction> ixs, Keypair... more) {
        Keypair[] all = new Keypair[more.length + 1];
        all[0] = payer;
        System.arraycopy(more, 0, all, 1, more.length);
        String bh = Pubkey.base58Encode(ledger.latestBlockhash());
        var r = ledger.submit(WireTransaction.parse(Transaction.build(payer.publicKey(), ixs, bh, all).toWire()), true);
        if (!r.succeeded()) throw new IllegalStateException("setup transaction failed: " + r);
    }

    static long nonce(Ledger ledger, Pubkey account) {
        return CoordinatorAccount.decode(ledger.account(account).data()).nonce();
    }

    /**
     * Signs transactions so that no two are alike across the whole benchmark: each (payer, recent blockhash) pair is
     * used once (a tick's instruction never varies), blockhashes at most {@link #BLOCKHASH_AGE_SLOTS} slots old.
     */
    static final class Signer {
        private final Ledger ledger;
        private final List<Keypair> payers;
        private final java.util.Set<Long> usedPairs = new java.util.HashSet<>();
        private int signed;

        Signer(Ledger ledger, List<Keypair> payers) {
            this.ledger = ledger;
            this.payers = payers;
        }

        List<byte[]> sign(int count, IxFactory ix) {
            long slot = ledger.slot();
            List<byte[]> txs = new ArrayList<>(count);
            int payer = 0;
            long age = 0;
            while (txs.size() < count) {
                long s = slot - age;
                if (s < 0 || age >= BLOCKHASH_AGE_SLOTS) {
                    throw new IllegalStateException("out of unused (payer, blockhash) pairs: add payers or wait for new slots");
                }
                if (usedPairs.add(s * payers.size() + payer)) {
                    Keypair k = payers.get(payer);
                    String bh = Pubkey.base58Encode(ledger.blockhash(s));
                    txs.add(Transaction.build(k.publicKey(), List.of(ix.make(k.publicKey(), signed++)), bh, k).toWire());
                }
                if (++payer == payers.size()) {
                    payer = 0;
                    age++;
                }
            }
            return txs;
        }
    }

    /** Submits all in process (preflight on, as sendTransaction does) from {@code threads} threads. */
    static double submitInProcess(Ledger ledger, List<byte[]> txs, int threads) throws Exception {
        return ParallelItems.perSecond(txs.size(), threads, next -> {
            for (int i; (i = next.getAsInt()) >= 0; ) {
                if (!ledger.submit(WireTransaction.parse(txs.get(i)), true).succeeded()) {
                    throw new IllegalStateException("transaction " + i + " failed");
                }
            }
        });
    }

    /**
     * A round's confirmed transactions per second, and CPU time per transaction: the whole process (server, client,
     * ledger, GC, JIT) and the RPC server's connection threads alone, plus every thread group's share. CPU per
     * transaction is the steadier figure when other processes share the cores.
     */
    record Rate(double perSecond, double processCpuMicros, double serverCpuMicros, String threadCpuMicros) {
        @Override public String toString() {
            return String.format("%,8.0f tx/s (CPU per tx: %,5.0f us process, %,5.0f us RPC server threads)", perSecond, processCpuMicros, serverCpuMicros);
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final String SERVER_THREADS = "local-chain-rpc";

    /** CPU nanoseconds by thread group (thread names without their numbers), and "process" for the whole JVM. */
    static java.util.Map<String, Long> cpuNanos() {
        java.util.Map<String, Long> byGroup = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) continue;
            long t = THREADS.getThreadCpuTime(info.getThreadId());
            if (t > 0) byGroup.merge(info.getThreadName().replaceAll("[-#]?[0-9]+", ""), t, Long::sum);
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        byGroup.put("process", os.getProcessCpuTime());
        return byGroup;
    }

    static Rate rate(int count, long elapsedNanos, java.util.Map<String, Long> before, java.util.Map<String, Long> after) {
        java.util.function.ToDoubleFunction<String> perTx = group -> (after.getOrDefault(group, 0L) - before.getOrDefault(group, 0L)) / 1e3 / count;
        StringBuilder groups = new StringBuilder();
        for (String group : after.keySet()) {
            double us = perTx.applyAsDouble(group);
            if (!group.equals("process") && us >= 5) groups.append(groups.length() == 0 ? "" : ", ").append(String.format("%s %.0f", group, us));
        }
        return new Rate(count / (elapsedNanos / 1e9), perTx.applyAsDouble("process"), perTx.applyAsDouble(SERVER_THREADS), groups.toString());
    }

    /** Sends all with preflight over HTTP from {@code threads} senders; returns confirmed transactions per second. */
    static Rate send(LocalChain chain, HttpClient http, List<byte[]> txs, int threads) throws Exception {
        URI uri = URI.create(chain.rpcUrl());
        int count = txs.size();
        List<String> signatures = new ArrayList<>(Collections.nCopies(count, null));
        java.util.Map<String, Long> cpuBefore = cpuNanos();
        java.util.List<java.util.Map<String, Long>> cpuAfter = new java.util.ArrayList<>();
        long nanos = ParallelItems.run(count, threads, next -> {
            for (int i; (i = next.getAsInt()) >= 0; ) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(ParallelItems.sendTransactionBody(i, txs.get(i)))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (!r.body().contains("\"result\"")) throw new IllegalStateException("transaction " + i + ": " + r.body());
                signatures.set(i, RpcClient.signatureOf(txs.get(i)));
            }
        }, () -> cpuAfter.add(cpuNanos())); // while the sender threads still exist, so their CPU counts
        Rate rate = rate(count, nanos, cpuBefore, cpuAfter.get(0));
        psyche.chain.local.bench.LocalChainTransferBench.requireAllSucceeded(chain.rpcUrl(), signatures);
        return rate;
    }
}
