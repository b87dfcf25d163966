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
import psyche.chain.local.LocalChain;
import psyche.chain.local.Rent;
import psyche.chain.local.WireTransaction;
import psyche.chain.rpc.RpcClient;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.coordinator.Pubkey;

/**
 * Confirmed coordinator {@code tick} transactions per second through the JSON-RPC server of a durable local chain
 * (sendTransaction with preflight: each tick decodes, runs and re-encodes the 119,160-byte coordinator account twice,
 * once in simulation and once for real, and the ledger writes it), against plain SOL transfers sent the same way to
 * the same chain in this run. All ticks hit one run, so they serialize on its account as on Solana.
 * Transactions are signed beforehand (distinct payer × recent blockhash pairs).
 *
 * <p>Run: {@code mvn -o -q -pl lib test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=psyche.chain.local.psyche.bench.CoordinatorTickBench [-Dexec.args="10000 16"]}
 */
public final class CoordinatorTickBench {
    static final ProgramIds IDS = ProgramIds.MAINNET;

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
        System.out.printf("coordinator tick benchmark: %d transactions per kind, %d concurrent senders, %d cores%n",
                count, threads, Runtime.getRuntime().availableProcessors());
        Path dir = Files.createTempDirectory("bench-psyche");
        try (LocalChain chain = LocalChain.builder().optLedgerDir(dir).optRpcPort(0).start()) {
            Ledger ledger = chain.ledger();
            Keypair owner = Keypair.generate();
            ledger.airdrop(owner.publicKey(), 1_000 * Rent.LAMPORTS_PER_SOL);
            Pubkey[] run = createRun(ledger, owner);
            List<Keypair> payers = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                Keypair k = Keypair.generate();
                ledger.airdrop(k.publicKey(), 1_000 * Rent.LAMPORTS_PER_SOL);
                payers.add(k);
            }
            Pubkey sink = Keypair.generate().publicKey();
            CoordinatorInstructions coordinator = new CoordinatorInstructions(IDS);
            NativeInstructions natives = new NativeInstructions(IDS);

            // warm-up (JIT), not reported
            send(chain, sign(ledger, payers, Math.min(1_000, count), (p, i) -> natives.transfer(p, sink, Rent.LAMPORTS_PER_SOL / 100 + i), 0), threads);
            send(chain, sign(ledger, payers, Math.min(1_000, count), (p, i) -> coordinator.tick(p, run[0], run[1]), 1), threads);

            long nonceBefore = nonce(ledger, run[1]);
            double transfers = send(chain, sign(ledger, payers, count, (p, i) -> natives.transfer(p, sink, Rent.LAMPORTS_PER_SOL / 50 + i), 3), threads);
            double ticks = send(chain, sign(ledger, payers, count, (p, i) -> coordinator.tick(p, run[0], run[1]), 5), threads);
            long applied = nonce(ledger, run[1]) - nonceBefore;
            if (applied != count) throw new IllegalStateException("expected " + count + " ticks applied, nonce moved " + applied);
            double transfersInProcess = submitInProcess(ledger, sign(ledger, payers, count, (p, i) -> natives.transfer(p, sink, Rent.LAMPORTS_PER_SOL / 20 + i), 7), threads);
            double ticksInProcess = submitInProcess(ledger, sign(ledger, payers, count, (p, i) -> coordinator.tick(p, run[0], run[1]), 9), threads);
            System.out.printf("in-process submit (no HTTP/JSON), durable: transfers %,10.0f tx/s, ticks %,10.0f tx/s (%.2fx)%n",
                    transfersInProcess, ticksInProcess, ticksInProcess / transfersInProcess);
            System.out.printf("plain SOL transfers, confirmed (baseline): %,10.0f tx/s%n", transfers);
            System.out.printf("coordinator ticks, confirmed:              %,10.0f tx/s  (%.2fx of transfers; target >= 2,000 tx/s: %s)%n",
                    ticks, ticks / transfers, ticks >= 2_000 ? "met" : "NOT met");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
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
                Rent.minimumBalance(CoordinatorAccountCodec.SIZE), CoordinatorAccountCodec.SIZE, IDS.coordinator()),
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

    /** {@code count} transactions, each (payer, blockhash) pair once; blockhashes of the last slots (all still valid). */
    static List<byte[]> sign(Ledger ledger, List<Keypair> payers, int count, IxFactory ix, int slotOffset) {
        long slot = ledger.slot();
        List<byte[]> txs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Keypair payer = payers.get(i % payers.size());
            long s = Math.max(0, slot - (i / payers.size()) % 60);
            String bh = Pubkey.base58Encode(ledger.blockhash(s));
            txs.add(Transaction.build(payer.publicKey(), List.of(ix.make(payer.publicKey(), i)), bh, payer).toWire());
        }
        return txs;
    }

    /** Submits all in process (preflight on, as sendTransaction does) from {@code threads} threads. */
    static double submitInProcess(Ledger ledger, List<byte[]> txs, int threads) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < txs.size()) {
                    if (!ledger.submit(WireTransaction.parse(txs.get(i)), true).succeeded()) {
                        throw new IllegalStateException("transaction " + i + " failed");
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        double rate = txs.size() / ((System.nanoTime() - start) / 1e9);
        pool.shutdown();
        return rate;
    }

    /** Sends all with preflight over HTTP from {@code threads} senders; returns confirmed transactions per second. */
    static double send(LocalChain chain, List<byte[]> txs, int threads) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create(chain.rpcUrl());
        AtomicInteger next = new AtomicInteger();
        int count = txs.size();
        List<String> signatures = new ArrayList<>(Collections.nCopies(count, null));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"sendTransaction\",\"params\":[\""
                            + Base64.getEncoder().encodeToString(txs.get(i)) + "\",{\"encoding\":\"base64\"}]}";
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (!r.body().contains("\"result\"")) throw new IllegalStateException("transaction " + i + ": " + r.body());
                    signatures.set(i, RpcClient.signatureOf(txs.get(i)));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        double rate = count / ((System.nanoTime() - start) / 1e9);
        pool.shutdown();
        psyche.chain.local.bench.LocalChainTransferBench.requireAllSucceeded(chain.rpcUrl(), signatures);
        return rate;
    }
}
