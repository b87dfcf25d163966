package psyche.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorInstance;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Keypair;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.rpc.RpcClient;
import psyche.chain.rpc.RpcTypes;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;
import psyche.sim.Behaviour;

/**
 * A group of {@link ChainClient}s on one run, each with its own (airdropped) keypair, driven from one thread: each
 * {@link #step} reads the coordinator account once and lets every online client act on it. Drive it yourself
 * (tests with a controllable clock) or {@link #start} a background loop that stops at the time limit or on
 * {@link #close}.
 *
 * <pre>{@code
 * try (ChainClients clients = ChainClients.builder(rpc, "my-run").optReliable(3).build()) {
 *     clients.start();
 *     clients.awaitEpochs(1, Duration.ofMinutes(3));
 * }
 * }</pre>
 */
public final class ChainClients implements AutoCloseable {
    /** The run's addresses, as a client finds them from the run id. */
    public record RunAccounts(ProgramIds ids, Pdas pdas, CoordinatorInstructions coordinator, String runId,
                              Pubkey instance, Pubkey account, Pubkey joinAuthority) {}

    /**
     * The work behind the clients' messages. The default (a simulation) does none and every online client hears
     * every other online client; a training session trains in {@link #beforeActing} and says whose results arrived.
     */
    public interface Participation {
        /** Called with every fresh read of the state, before the clients act on it (may train, apply, save). */
        default void beforeActing(InstanceState state) {}

        /** Whether {@code by} has received {@code peer}'s result for the state's current round. */
        boolean heard(ChainClient by, NodeIdentity peer);

        /**
         * The commitment (Psyche's {@code data_hash}) of {@code peer}'s result for the round at {@code roundHeight}
         * as {@code by} received it: what its witness puts in the broadcast bloom and merkle root. Empty when it
         * holds no result of that peer. Default: {@link ChainClient#syntheticCommitment}, for work that produces
         * no real results.
         */
        default Optional<byte[]> commitmentOf(ChainClient by, NodeIdentity peer, long roundHeight) {
            return Optional.of(ChainClient.syntheticCommitment(roundHeight, peer));
        }

        /**
         * Whether {@code client} may send its witness now: Psyche witnesses early once every result is in, else in
         * RoundWitness with what it has. Default: at once.
         */
        default boolean readyToWitness(ChainClient client, InstanceState state) { return true; }

        /** Whether the client is still running (a killed client neither acts nor is heard). */
        default boolean online(ChainClient client) { return true; }
    }

    private final RpcClient rpc;
    private final Participation participation;
    private final RunAccounts run;
    private final List<ChainClient> clients;
    private final Set<ChainClient> crashed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final LongSupplier nowSeconds;
    private final psyche.sim.LogicalClock logicalClock; // null: the wall clock
    private final long startSecond;
    private final Duration stepInterval;
    private final Duration timeLimit;
    private final AtomicLong steps = new AtomicLong();
    private volatile InstanceState lastState;
    private volatile boolean closed;
    private Thread loop;

    private ChainClients(Builder b, RunAccounts run, List<ChainClient> clients) {
        this.rpc = b.rpc;
        this.participation = b.participation;
        this.run = run;
        this.clients = List.copyOf(clients);
        this.nowSeconds = b.nowSeconds;
        this.logicalClock = b.logicalClock;
        this.startSecond = b.nowSeconds.getAsLong();
        this.stepInterval = b.stepInterval;
        this.timeLimit = b.timeLimit;
    }

    public static Builder builder(RpcClient rpc, String runId) { return new Builder(rpc, runId); }

    public List<ChainClient> clients() { return clients; }

    public RunAccounts run() { return run; }

    /** Steps taken so far. */
    public long steps() { return steps.get(); }

    /** The coordinator state read by the latest step (null before the first). */
    public InstanceState lastState() { return lastState; }

    /** Reads the run's coordinator account. */
    public CoordinatorAccount readAccount() {
        RpcTypes.AccountInfo info = rpc.getAccountInfo(run.account().toBase58());
        if (info == null) throw new IllegalStateException("coordinator account " + run.account() + " of run '"
                + run.runId() + "' does not exist (was the run closed?)");
        return CoordinatorAccount.decode(info.data());
    }

    /**
     * One round of client actions on a fresh read of the state: every online client acts; the first online
     * registered client may tick. Returns the number of transactions sent.
     */
    public synchronized int step() {
        Step step = begin();
        if (participation != null) participation.beforeActing(step.state());
        while (step.act()) {
            if (participation != null) participation.beforeActing(step.state());
        }
        return step.sent();
    }

    /**
     * Starts a {@link #step} that its caller drives read by read, doing its own work between a read and the clients'
     * actions on it instead of {@link Participation#beforeActing} (a training session pulls its rounds this way):
     * {@link Step#state()} is the fresh read; {@link Step#act()} lets the clients act on it. {@code step()} is
     * {@code begin()}, then {@code act()} until it returns false, with the participation's work before each act.
     */
    public synchronized Step begin() {
        InstanceState s = readAccount().state();
        lastState = s;
        return new Step(s);
    }

    /**
     * One step in progress: the latest read of the state, and the clients that have not acted yet. After a client
     * sends a transaction the state is read again and {@link #act()} returns true, so the caller sees what the chain
     * holds now before the next client acts on it, as that client would; the step ends (and a logical clock advances
     * by the step interval) when every online client has acted.
     */
    public final class Step {
        private final Set<NodeIdentity> offline = new HashSet<>();
        private InstanceState s;
        private long now;
        private long since;
        private ChainClient ticker;
        private boolean started;
        private int next;
        private int sent;
        private boolean ended;

        private Step(InstanceState s) { this.s = s; }

        /** The clients' time, who is offline and who ticks: taken once, when the clients first act in this step. */
        private void startActing() {
            started = true;
            now = nowSeconds.getAsLong();
            since = now - startSecond;
            for (ChainClient c : clients) if (!online(c, since)) offline.add(c.identity());
            // the first online registered client ticks; with none registered yet, the first online one (else a run
            // left in Cooldown by its previous clients would wait for a tick nobody sends)
            for (ChainClient c : clients) {
                if (!online(c, since)) continue;
                if (ticker == null || (c.registryEntry(s).isPresent() && ticker.registryEntry(s).isEmpty())) ticker = c;
                if (ticker.registryEntry(s).isPresent()) break;
            }
        }

        /** The state this step read last. */
        public InstanceState state() { return s; }

        /** Transactions the clients sent in this step so far. */
        public int sent() { return sent; }

        /**
         * Lets the remaining online clients act on {@link #state()} until one sends a transaction (then the state is
         * read again and this returns true) or all have acted (the step ends: false).
         */
        public boolean act() {
            synchronized (ChainClients.this) {
                if (ended) return false;
                if (!started) startActing();
                while (next < clients.size()) {
                    ChainClient c = clients.get(next++);
                    if (!online(c, since)) continue;
                    boolean mayTick = c == ticker;
                    java.util.function.Predicate<NodeIdentity> heard = participation == null ? id -> !offline.contains(id)
                            : id -> !offline.contains(id) && participation.heard(c, id);
                    boolean mayWitness = participation == null || participation.readyToWitness(c, s);
                    ChainClient.HeardCommitments commitments = participation == null ? ChainClient.HeardCommitments.SYNTHETIC
                            : (peer, height) -> participation.commitmentOf(c, peer, height);
                    int sentNow = c.act(s, now, heard, commitments, mayTick, mayWitness);
                    sent += sentNow;
                    if (sentNow > 0) {
                        s = readAccount().state(); // act on what the chain holds now, as the next client would see it
                        lastState = s;
                        return true;
                    }
                }
                ended = true;
                steps.incrementAndGet();
                if (logicalClock != null) logicalClock.advance(stepInterval); // time passes because a step was taken
                return false;
            }
        }
    }

    /**
     * Steps until {@code d} has passed on the clients' clock (at least one step): on a logical clock that is
     * {@code d / stepInterval} steps whatever the machine's speed; on the wall clock, steps every step interval.
     */
    public void stepFor(Duration d) {
        if (loop != null) throw new IllegalStateException("these clients step in the background (start() was called)");
        long target = clockMillis() + d.toMillis();
        do {
            try {
                step();
            } catch (RuntimeException e) {
                // on a logical clock a failed step moved no time: retrying would loop, so the caller sees it
                if (logicalClock != null) throw e;
                // on the wall clock, a transient RPC failure: the next step reads again
            }
            pauseBetweenSteps();
        } while (clockMillis() < target && !closed && !Thread.currentThread().isInterrupted());
    }

    /** The clients' clock for durations and timeouts, in ms: the logical clock, else a monotonic wall clock. */
    public long clockMillis() { return logicalClock != null ? logicalClock.millis() : System.nanoTime() / 1_000_000; }

    /**
     * Waits one step interval between steps the caller drives: on the wall clock it sleeps; on a logical clock it
     * returns at once (the step advanced that clock). False when interrupted (the flag is set again).
     */
    public boolean pauseBetweenSteps() {
        if (logicalClock != null) return true;
        try {
            Thread.sleep(stepInterval.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean online(ChainClient c, long since) {
        return c.onlineAt(since) && !crashed.contains(c) && (participation == null || participation.online(c));
    }

    /**
     * Takes client {@code index} offline as a crash would, from the next step on: it neither trains, witnesses, health
     * checks nor ticks, so the others' health checks eject it (and the run slashes it). At a point in the run, not
     * at a wall time like {@code Behaviour.dropsAt}: what follows is the same on every re-run.
     */
    public synchronized void takeOffline(int index) {
        if (index < 0 || index >= clients.size()) {
            throw new IllegalArgumentException("no client " + index + ": this group has clients 0.." + (clients.size() - 1));
        }
        crashed.add(clients.get(index));
    }

    /** Starts stepping every step interval on a daemon thread until the time limit or {@link #close}. */
    public synchronized ChainClients start() {
        if (loop != null) throw new IllegalStateException("already started");
        if (logicalClock != null) {
            throw new IllegalStateException("these clients are on a logical clock, which moves only as they step: drive"
                    + " them with awaitEpochs(..) or stepFor(..) instead of start(), so every re-run takes the same steps");
        }
        long deadline = System.nanoTime() + timeLimit.toNanos();
        loop = new Thread(() -> {
            while (!closed && System.nanoTime() < deadline) {
                try {
                    step();
                } catch (RuntimeException e) {
                    // a transient RPC failure: the next step reads again
                }
                try {
                    Thread.sleep(stepInterval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "psyche-chain-clients-" + run.runId());
        loop.setDaemon(true);
        loop.start();
        return this;
    }

    /**
     * Waits until the run has finished {@code epochs} more epochs than when called (its progress.epoch grew by that
     * much), stepping itself when no background loop runs. Returns false on timeout.
     */
    public boolean awaitEpochs(int epochs, Duration timeout) {
        long target = readAccount().state().coordinator().progress().epoch() + epochs;
        if (logicalClock != null) {
            // the timeout is logical time too: the same number of steps, and the same answer, on every re-run
            long logicalDeadline = logicalClock.millis() + timeout.toMillis();
            while (logicalClock.millis() < logicalDeadline && !closed) {
                step();
                if (readAccount().state().coordinator().progress().epoch() >= target) return true;
            }
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !closed) {
            if (loop == null) step();
            InstanceState s = readAccount().state();
            if (s.coordinator().progress().epoch() >= target) return true;
            try {
                Thread.sleep(stepInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Override public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = loop;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clients.forEach(ChainClient::close);
    }

    @Override public String toString() {
        return "ChainClients[run " + run.runId() + ", " + clients.size() + " clients, " + steps + " steps]";
    }

    /** Options: the RPC client and run id are required; everything else has a default. */
    public static final class Builder {
        private final RpcClient rpc;
        private final String runId;
        private final List<Behaviour> behaviours = new ArrayList<>();
        private ProgramIds ids = ProgramIds.MAINNET;
        private LongSupplier nowSeconds = () -> System.currentTimeMillis() / 1000;
        private psyche.sim.LogicalClock logicalClock;
        private Duration stepInterval = Duration.ofMillis(500);
        private Duration timeLimit = Duration.ofMinutes(10);
        private long airdropLamports = 1_000_000_000L;
        private Participation participation;
        private java.util.OptionalLong keySeed = java.util.OptionalLong.empty();

        private Builder(RpcClient rpc, String runId) {
            this.rpc = Objects.requireNonNull(rpc, "rpc");
            this.runId = Objects.requireNonNull(runId, "runId");
        }

        /** Adds one client with this behaviour (Reliable, DropsAt, JoinsLate, Rejoins, NeverWitnesses). */
        public Builder addClient(Behaviour behaviour) { behaviours.add(Objects.requireNonNull(behaviour)); return this; }

        /** Adds {@code n} reliable clients. */
        public Builder optReliable(int n) {
            for (int i = 0; i < n; i++) behaviours.add(Behaviour.reliable());
            return this;
        }

        public Builder optProgramIds(ProgramIds ids) { this.ids = Objects.requireNonNull(ids); return this; }

        /** The clients' clock in unix seconds (the chain's clock, for tests that control it). */
        public Builder optClock(LongSupplier nowSeconds) { this.nowSeconds = Objects.requireNonNull(nowSeconds); return this; }

        /**
         * Steps on {@code clock}: each step advances it by the step interval (which also moves the local chain's
         * slots when the chain runs on it, {@code Psyche.localReproducible(.., clock)}); drive the clients with
         * {@link #awaitEpochs} or {@link #stepFor}, not {@link #start}. Behaviours' times are logical seconds.
         */
        public Builder optLogicalClock(psyche.sim.LogicalClock clock) {
            this.logicalClock = Objects.requireNonNull(clock);
            this.nowSeconds = clock::epochSecond;
            return this;
        }

        /** How often the background loop steps (500 ms, as Psyche's clients simulate ticks). */
        public Builder optStepInterval(Duration d) { this.stepInterval = Objects.requireNonNull(d); return this; }

        /** When the background loop stops by itself (10 minutes). */
        public Builder optTimeLimit(Duration d) { this.timeLimit = Objects.requireNonNull(d); return this; }

        /** Lamports airdropped to each client's new keypair for fees (1 SOL). */
        public Builder optAirdropLamports(long lamports) { this.airdropLamports = lamports; return this; }

        /** The work behind the messages (training); default none, as a simulation. */
        public Builder optParticipation(Participation p) { this.participation = Objects.requireNonNull(p); return this; }

        /**
         * Derives every client's keypair, p2p key and bloom seeds from {@code seed} instead of fresh randomness, so a
         * re-run has the same signers (and so the same shuffles and result order). For reproducible local reports
         * only: anyone who knows the seed knows the keys, so never use it for clients holding real funds.
         */
        public Builder optKeySeed(long seed) { this.keySeed = java.util.OptionalLong.of(seed); return this; }

        /** Client {@code index}'s key of {@code purpose} derived from {@code seed}: sha256(domain ‖ seed ‖ index). */
        static Keypair derivedKey(long seed, int index, String purpose) {
            return Keypair.fromSeed(psyche.coordinator.Hashing.sha256(
                    ("psyche reproducible client " + purpose).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    psyche.coordinator.Hashing.u64le(seed), psyche.coordinator.Hashing.u64le(index)));
        }

        /** Finds the run, creates and funds one keypair per client. */
        public ChainClients build() {
            if (behaviours.isEmpty()) throw new IllegalStateException("no clients: add some with addClient or optReliable");
            Pdas pdas = new Pdas(ids);
            Pubkey instance = pdas.coordinatorInstance(runId).address();
            RpcTypes.AccountInfo info = rpc.getAccountInfo(instance.toBase58());
            if (info == null) {
                throw new IllegalStateException("run '" + runId + "' has no coordinator instance at " + instance
                        + " on " + rpc.endpoints() + ": create the run first (create-run)");
            }
            CoordinatorInstance inst = CoordinatorInstance.decode(info.data());
            RunAccounts run = new RunAccounts(ids, pdas, new CoordinatorInstructions(ids), runId, instance,
                    inst.coordinatorAccount(), inst.joinAuthority());
            List<ChainClient> clients = new ArrayList<>();
            List<String> airdrops = new ArrayList<>();
            for (int i = 0; i < behaviours.size(); i++) {
                ChainClient client;
                if (keySeed.isPresent()) {
                    long seed = keySeed.getAsLong();
                    client = new ChainClient("client-" + i, run, rpc, derivedKey(seed, i, "signer"),
                            derivedKey(seed, i, "p2p"), new java.util.Random(seed * 31 + i), behaviours.get(i));
                } else {
                    client = new ChainClient("client-" + i, run, rpc, Keypair.generate(), behaviours.get(i));
                }
                clients.add(client);
                if (airdropLamports > 0) airdrops.add(rpc.requestAirdrop(client.signer().toBase58(), airdropLamports));
            }
            for (String sig : airdrops) rpc.confirm(sig, rpc.commitment(), 0);
            return new ChainClients(this, run, clients);
        }
    }
}
