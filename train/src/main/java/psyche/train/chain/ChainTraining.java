package psyche.train.chain;

import ai.djl.Device;
import psyche.chain.rpc.RpcClient;
import psyche.config.DataLocation;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.coordinator.BatchId;
import psyche.coordinator.Coordinator;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.InstanceState;
import psyche.coordinator.Round;
import psyche.coordinator.RunState;
import psyche.client.ChainClient;
import psyche.client.ChainClients;
import psyche.train.LlamaConfig;
import psyche.train.LlamaModel;
import psyche.train.Safetensors;
import psyche.train.StepReport;
import psyche.train.TorchRuntime;
import psyche.train.Training;
import psyche.train.TrainingException;
import psyche.train.TrainingListener;
import psyche.train.RoundTrainer;
import psyche.train.RoundDriver;
import psyche.train.RoundLoop;
import psyche.train.SessionOptions;
import psyche.train.SessionBuilder;
import psyche.train.DivergenceGuard;
import psyche.train.data.TokenDataProvider;
import psyche.train.distro.DistroLayout;
import psyche.train.distro.DistroResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A training session on a chain: N clients in this JVM, each with its own keypair (airdropped), model replica and
 * DisTrO state, join a run and follow its coordinator over JSON-RPC as {@link ChainClient}s do (join, warmup witness,
 * witness, health checks, ticks). What they add is the work: in each RoundTrain every client trains the range the
 * coordinator's data assignment gives it (step and LR from the run), the results are exchanged in-process as wire
 * bytes (and with other processes' sessions over HTTP, see below), witnesses put the peers whose results arrived in
 * their participant blooms and the results' commitments in their broadcast blooms, and at the next RoundTrain each
 * client applies the round's consensus (results whose trainer and commitment a witness quorum heard,
 * {@link ChainRoundDriver#consensus(java.util.Map, List, int)}), so results of step N land at N+1 as in Psyche. At
 * Cooldown the model is saved as {@code {run_id}-step{step-1}}; a later session on the same checkpoint directory
 * starts from the newest one.
 *
 * <p>The rounds are pulled, as in every session, by the one {@link RoundLoop}: its driver here is a
 * {@link ChainRoundDriver}, which steps the clients read by read until the coordinator shows a round to train, and
 * after training hands the results to the witness step ({@link HeardResults}) and steps on until the round's witnesses
 * are in. What this class keeps is the session: the models, LRs, checkpoints, the results server and peer discovery.
 *
 * <p>A cold-start epoch (the coordinator's {@code cold_start_epoch}, set when the run was paused, with
 * {@code cold_start_warmup_steps > 0}) warms the LR up from 0 ({@link Training.ColdStartWarmup}) and starts from
 * zeroed DisTrO state; with a P2P checkpoint, results of trainers that produced fewer than cold_start_warmup_steps
 * results are not applied ({@link ChainRoundDriver#trainerWarmingUp}). Step reports carry the LR each step used.
 *
 * <p>Sessions in other processes: with {@link Builder#optServeResults} a session serves its results
 * ({@code GET /results/{step}}) and the peers it knows ({@code GET /peers}), registers in the run's
 * {@link PeerDirectory} on this machine and fetches from the sessions it finds there, from explicit peers
 * ({@link Builder#optPeer}, e.g. on other machines) and from the peers those name.
 *
 * <pre>{@code
 * try (ChainTraining t = ChainTraining.builder().setRun(run).optClients(2).optSteps(5)
 *         .optCheckpointDir(dir).optListener(new LiveTrainingView("tiny")).build().start()) {
 *     t.await(Duration.ofMinutes(3));
 * }
 * }</pre>
 */
public final class ChainTraining implements AutoCloseable, psyche.display.Viewable {
    private final Builder b;
    private final SessionOptions o;
    private final ChainClients clients;
    private final HeardResults heard; // what the clients witness from: this session's results and its peers'
    private final List<TrainingListener> listeners;
    private final List<StepReport> history = new CopyOnWriteArrayList<>();
    private final TokenDataProvider data;
    private final DataLocation dataLocation;
    private final LlamaConfig modelConfig;
    private final Optimizer.Distro optimizer;
    private final LrSchedule schedule;
    private final long totalSteps;
    private final String runId;
    private final Device device;

    private volatile Thread thread;
    private volatile boolean stopRequested;
    private volatile boolean running;
    private volatile Throwable failure;
    private volatile Path lastCheckpoint;
    private volatile Path startedFrom;
    private final Map<Long, Integer> consensusSizes = new java.util.concurrent.ConcurrentSkipListMap<>();
    private volatile long appliedStep = -1;

    // results shared with other processes' sessions over HTTP (serving optional), and where those sessions are
    private final PeerSessions peerSessions;

    private long savedStep = -1; // of the session thread
    private volatile int coldStartResets;

    private volatile ChainRoundDriver driver; // built on the session thread, once the models exist
    private volatile RoundTrainer roundTrainer; // the clients' models and optimizer state, built on the session thread

    private ChainTraining(Builder b) {
        this.b = b;
        this.o = b.options();
        this.listeners = List.copyOf(o.listeners());
        if (o.clients() < 1) throw new TrainingException("a session needs at least one client, got " + o.clients());
        this.device = TorchRuntime.device(o.device());
        this.heard = new HeardResults();
        ChainClients.Builder cb = ChainClients.builder(b.rpc, b.runId).optReliable(o.clients())
                .optStepInterval(b.stepInterval).optParticipation(heard);
        if (b.logicalClock != null) cb.optLogicalClock(b.logicalClock);
        if (b.reproducibleKeys) {
            cb.optKeySeed(o.seed());
            psyche.reports.ProvenanceLog.seed("ChainTraining client keys", o.seed());
        }
        this.clients = cb.build();
        TokenDataProvider opened = null;
        try {
            CoordinatorState c = clients.readAccount().state().coordinator();
            if (c.runState() == RunState.Uninitialized) {
                throw new TrainingException("run '" + b.runId + "' has no config yet: set one (update-config) and "
                        + "resume it before training");
            }
            LlmModel model = c.model();
            if (model.architecture() != psyche.config.Architecture.HfLlama) {
                throw new TrainingException("run '" + b.runId + "' uses architecture " + model.architecture()
                        + ": only HfLlama trains here");
            }
            if (!(model.optimizer() instanceof Optimizer.Distro d)) {
                throw new TrainingException("run '" + b.runId + "' uses optimizer " + model.optimizer()
                        + ": clients on a chain share results, so the run needs optimizer Distro");
            }
            this.optimizer = d;
            this.schedule = model.lrSchedule();
            this.totalSteps = c.config().totalSteps();
            this.runId = c.runId();
            long seqLen = model.maxSeqLen();
            if (seqLen <= 0 || seqLen > Integer.MAX_VALUE) throw new TrainingException("max_seq_len must be > 0, got " + seqLen);
            this.dataLocation = o.dataLocation(model.dataLocation());
            this.data = opened = TokenDataProvider.open(dataLocation, (int) seqLen);
            this.modelConfig = o.modelConfig(resumeDir(), data, dataLocation, seqLen);
            this.peerSessions = new PeerSessions(runId, clients.run().account().toBase58(), clients.clients(),
                    b.serveHost, b.servePort, b.peers, b.peerDiscovery, b.peersDir, b.peerRefresh);
        } catch (RuntimeException e) {
            if (opened != null) opened.close(); // opened before a later check failed
            clients.close();
            throw e;
        }
    }

    public static Builder builder() { return new Builder(); }

    public LlamaConfig modelConfig() { return modelConfig; }

    public TokenDataProvider data() { return data; }

    public String runId() { return runId; }

    /** The session's clients (their names and signers; the keypairs stay inside). */
    public List<ChainClient> clients() { return clients.clients(); }

    /** Step reports so far, one per trained round. */
    public List<StepReport> history() { return Collections.unmodifiableList(history); }

    /**
     * The step reports as a table: step, lr, mean loss, each client's loss, tokens/s, result bytes, seconds. Tokens/s
     * and seconds depend on the machine and the clock: they are shown as {@link psyche.reports.Timing} values
     * ("1,234 tok/s (timing)"), so {@code --check-reproducible} leaves them out and compares the rest.
     */
    public tech.tablesaw.api.Table steps() {
        List<String> names = new ArrayList<>();
        for (ChainClient c : clients.clients()) names.add(c.name());
        return StepReport.table(runId + " steps", names, history);
    }

    /** The newest checkpoint this session wrote or started from. */
    public Optional<Path> lastCheckpoint() { return Optional.ofNullable(lastCheckpoint); }

    /** For each applied step, how many results its consensus held. */
    public Map<Long, Integer> consensusSizes() { return Collections.unmodifiableMap(consensusSizes); }

    /** Where this session serves its results to other sessions (e.g. {@code http://127.0.0.1:PORT}), if it does. */
    public Optional<java.net.URI> resultsUrl() { return peerSessions.resultsUrl(); }

    /** Another session's {@link #resultsUrl()}: its clients' results are fetched, witnessed and applied here too. */
    public ChainTraining addPeer(java.net.URI resultsUrl) {
        peerSessions.addPeer(resultsUrl); // and learn the rest from its GET /peers
        return this;
    }

    /** The results URLs this session fetches from: given ones and those found in the peers directory or from peers. */
    public List<java.net.URI> peers() { return peerSessions.peers(); }

    /** The rendezvous directory this session registered in, if it serves results with discovery on. */
    public Optional<Path> peersDirectory() { return peerSessions.peersDirectory(); }

    /** How many times a cold-start epoch zeroed the clients' DisTrO state (at its round height 0). */
    public int coldStartResets() { return coldStartResets; }

    /** Consensus results left out because their trainer was still warming up on a P2P checkpoint. */
    public int resultsSkippedWhileWarmingUp() {
        ChainRoundDriver d = driver;
        return d == null ? 0 : d.resultsSkippedWhileWarmingUp();
    }

    /** The checkpoint the clients' models were loaded from (empty: a fresh init with the seed). */
    public Optional<Path> startedFrom() { return Optional.ofNullable(startedFrom); }

    /** The last step whose consensus results are in the models (-1 before any). */
    public long appliedStep() { return appliedStep; }

    /** The run's step and state at the latest read. */
    public long runStep() {
        InstanceState s = lastRead();
        return s == null ? 0 : s.coordinator().progress().step();
    }

    private InstanceState lastRead() {
        ChainRoundDriver d = driver;
        return d == null ? null : d.state();
    }

    public RunState runState() {
        InstanceState s = lastRead();
        return s == null ? RunState.Uninitialized : s.coordinator().runState();
    }

    public boolean isRunning() { return running; }

    public Optional<Throwable> failure() { return Optional.ofNullable(failure); }

    /** Starts following the run on a daemon thread (models are built there too, so a notebook cell returns at once). */
    public synchronized ChainTraining start() {
        if (thread != null) throw new IllegalStateException("session already started");
        running = true;
        thread = new Thread(this::runSafely, "psyche-chain-training-" + runId);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Waits up to {@code timeout} for the session to end; rethrows its failure. Returns whether it ended. */
    public boolean await(Duration timeout) {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(Math.max(1, timeout.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingException("interrupted while waiting for the training session", e);
            }
        }
        rethrow();
        return !running;
    }

    /** Waits until {@code n} rounds have been trained (or the session ended, or the timeout). */
    public boolean awaitSteps(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (history.size() < n && running && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        rethrow();
        return history.size() >= n;
    }

    private void rethrow() { TrainingException.rethrow(failure, "chain training"); }

    /** Ends the session after the current step of work, keeping (and if needed writing) the last checkpoint. */
    public void stop() {
        stopRequested = true;
        TrainingException.join(thread);
    }

    /**
     * Kills client {@code index} as a crash would: from now on it neither trains, publishes, witnesses nor ticks.
     * The run drops it through health checks and goes on while {@code min_clients} remain.
     */
    public void kill(int index) {
        heard.takeOffline(clients().get(index));
    }

    /** Greedy continuation of {@code prompt} with the last checkpoint. */
    public int[] sample(int[] prompt, int n) {
        Path cp = lastCheckpoint().orElseThrow(() -> new TrainingException("no checkpoint yet: stop() the session "
                + "(it writes one) or wait for a Cooldown"));
        return Training.sample(cp, prompt, n, 0, 0);
    }

    // ------------------------------------------------------------------ the session thread

    /**
     * Builds the models, then pulls the rounds through the {@link ChainRoundDriver} with the one {@link RoundLoop}
     * every session runs; at the end writes the last applied state as a checkpoint.
     */
    private void runSafely() {
        long last = -1;
        try {
            TorchRuntime.noGradOnThisThread();
            DivergenceGuard guard = createModels();
            ChainRoundDriver d = new ChainRoundDriver(clients, heard, new ChainRoundDriver.Settings(o.steps(), b.epochs,
                    b.timeLimit, b.roundTimeout, () -> stopRequested, () -> {
                        if (o.checkpointDir() != null && appliedStep > savedStep) saveCheckpoint(appliedStep);
                    }));
            d.withPeers(peerSessions, b.servedWire);
            driver = d;
            RoundLoop.run(d, roundTrainer, new Session(d, guard), layout, totalSteps, Math.max(0, appliedStep),
                    () -> stopRequested);
            // an interrupt ends the rounds, not the final save: NIO file channels would close on the set flag
            boolean interrupted = Thread.interrupted();
            try {
                if (o.checkpointDir() != null && appliedStep > savedStep) saveCheckpoint(appliedStep);
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            last = appliedStep;
            RoundTrainer r = roundTrainer;
            if (r != null) {
                r.close();
                for (int i = 0; i < r.size(); i++) r.client(i).model().close();
            }
            clients.close();
            running = false;
            for (TrainingListener l : listeners) l.onEnd(last, failure);
        }
    }

    private volatile DistroLayout layout; // of every result in this run: results travel without shapes

    private DivergenceGuard createModels() {
        Optional<Path> resume = resumeDir();
        LlamaModel first = resume.isPresent() ? LlamaModel.load(resume.get(), device)
                : LlamaModel.create(modelConfig, device, o.seed());
        resume.ifPresent(p -> {
            startedFrom = p;
            lastCheckpoint = p;
            appliedStep = Training.stepOf(p);
            savedStep = appliedStep;
        });
        layout = DistroLayout.forParameters(first.parameters(), optimizer);
        DivergenceGuard guard = new DivergenceGuard(o.checkpointDir(), b.runId, dataLocation,
                "bin/run-manager train --rpc RPC --run-id " + runId, (step, dir) -> {
                    lastCheckpoint = dir;
                    for (TrainingListener l : listeners) l.onCheckpoint(step, dir);
                });
        guard.keep(first, Math.max(0, appliedStep));
        List<LlamaModel> models = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < clients().size(); i++) {
            models.add(i == 0 ? first : first.copy());
            names.add(clients().get(i).name());
        }
        roundTrainer = new RoundTrainer(models, optimizer, names, guard);
        return guard;
    }

    /** An explicit resume directory, else the newest {@code {run_id}-step{N}} in the checkpoint directory. */
    private Optional<Path> resumeDir() {
        if (o.resumeFrom() != null) return Optional.of(o.resumeFrom());
        if (o.checkpointDir() == null || !Files.isDirectory(o.checkpointDir())) return Optional.empty();
        String prefix = b.runId + "-step";
        try (Stream<Path> s = Files.list(o.checkpointDir())) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && Training.stepOf(p) >= 0
                            && Files.isRegularFile(p.resolve(LlamaModel.WEIGHTS_FILE)))
                    .max(Comparator.comparingLong(Training::stepOf));
        } catch (IOException e) {
            throw new TrainingException("cannot list checkpoint directory " + o.checkpointDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a chain session decides around the rounds its driver gives: LRs from the run's schedule with the cold-start
     * factor of the epoch the coordinator shows, zeroed DisTrO state at a cold-start epoch's first round, who is live.
     */
    private final class Session implements RoundLoop.Session {
        private final ChainRoundDriver driver;
        private final DivergenceGuard guard;

        Session(ChainRoundDriver driver, DivergenceGuard guard) {
            this.driver = driver;
            this.guard = guard;
        }

        @Override public Optional<RoundLoop.Plan> plan(RoundDriver.Round round) {
            long step = round.step();
            CoordinatorState c = driver.state().coordinator();
            Optional<Training.ColdStartWarmup> coldStart = coldStartWarmup(c);
            double lr = o.lrScale() * Training.lr(schedule, step, coldStart);
            double prevLr = step > 1 ? o.lrScale() * Training.lr(schedule, step - 1, coldStart) : 0;
            Round current = Coordinator.currentRound(c);
            if (coldStart.isPresent() && current != null && current.height() == 0) {
                // a cold-start epoch begins with zeroed DisTrO state (Psyche's zero_optim at round height 0); every live
                // client, not only those with a batch this round, so none carries residuals from before the pause
                roundTrainer.resetState(ChainTraining.this::live);
                coldStartResets++;
            }
            List<int[][]> samples = new ArrayList<>();
            for (BatchId range : round.batches()) samples.add(range == null ? null : data.samplesWrapping(range));
            LlamaModel live = liveModel();
            if (live != null) guard.roundStarts(live, Math.max(0, appliedStep));
            return Optional.of(new RoundLoop.Plan(round.batches(), samples, ChainTraining.this::live, driver::nonce,
                    prevLr, lr, live));
        }

        /** Psyche applies step N's results when step N+1 starts, with that step's LR in the epoch the chain shows. */
        @Override public double applyLr(long step) {
            return o.lrScale() * Training.applyLr(schedule, step, coldStartWarmup(driver.state().coordinator()));
        }

        @Override public void applied(long step, RoundLoop.Plan plan, Optional<RoundDriver.Consensus> applied,
                                      double applyLr) {
            if (applied.isEmpty()) return; // the session ended before the round's witnesses were in
            appliedStep = step;
            consensusSizes.put(step, applied.get().results().size());
        }

        @Override public void report(StepReport report) {
            history.add(report);
            for (TrainingListener l : listeners) l.onStep(report);
        }
    }

    /** The cold-start LR warmup of the state's epoch, if it is a cold-start epoch with cold_start_warmup_steps > 0. */
    static Optional<Training.ColdStartWarmup> coldStartWarmup(CoordinatorState c) {
        long[] bounds = Coordinator.coldStartWarmupBounds(c);
        return bounds == null ? Optional.empty() : Optional.of(new Training.ColdStartWarmup(bounds[0], bounds[1]));
    }

    /** The peers this session quarantined, and why (a slow, oversized, malformed or badly signed answer). */
    public Map<java.net.URI, String> misbehavingPeers() { return peerSessions.misbehaving(); }

    /** The model of the first client still alive (the one checkpoints are written from), null before the models exist. */
    private LlamaModel liveModel() {
        RoundTrainer r = roundTrainer;
        if (r == null) return null;
        for (int i = 0; i < r.size(); i++) if (live(i)) return r.client(i).model();
        return null;
    }

    /** Whether client {@code i} still takes part (not {@link #kill}ed). */
    private boolean live(int i) { return heard.online(clients().get(i)); }

    private void saveCheckpoint(long step) {
        LlamaModel live = liveModel();
        if (live == null) return;
        Path dir = o.checkpointDir().resolve(b.runId + "-step" + step);
        live.save(dir, b.checkpointDtype);
        Training.copyTokenizer(dataLocation, dir);
        savedStep = step;
        lastCheckpoint = dir;
        for (TrainingListener l : listeners) l.onCheckpoint(step, dir);
    }

    @Override public void close() {
        stop();
        peerSessions.close();
        data.close();
        clients.close();
    }

    /** A card: run, clients, steps trained and applied, latest loss and learning rate, throughput, checkpoint, failure. */
    @Override public psyche.display.Html view() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"clients", psyche.display.Numbers.count(clients().size())});
        rows.add(new String[]{"steps trained", psyche.display.Numbers.count(history.size())
                + (appliedStep < 0 ? " (none applied yet)" : " (applied through step " + psyche.display.Numbers.count(appliedStep) + ")")});
        rows.addAll(StepReport.cardRows(history));
        rows.add(new String[]{"run", runState().display() + " at step " + psyche.display.Numbers.count(runStep())});
        if (lastCheckpoint != null) rows.add(new String[]{"checkpoint", lastCheckpoint.toString()});
        if (failure != null) rows.add(new String[]{"failed", String.valueOf(failure.getMessage())});
        String status = failure != null ? "failed" : running ? "running" : "stopped";
        return psyche.display.Cards.keyValues("Training on run " + runId + " — " + status, rows);
    }

    @Override public String toString() {
        return "ChainTraining[run " + runId + ", " + clients().size() + " clients, " + history.size() + " steps trained, "
                + "applied " + appliedStep + (running ? ", running" : "") + "]";
    }

    /**
     * Required: {@link #setRun} or {@link #setRpc}; everything else optional: two clients by default; {@code optSteps}
     * is the number of rounds to train before ending, once their results are applied (0: until the run finishes);
     * {@code optCheckpointDir}: a re-joining session starts from the newest checkpoint there, unless
     * {@code optResumeFrom} names one.
     */
    public static final class Builder extends SessionBuilder<Builder> {
        private RpcClient rpc;
        private String runId;
        private long epochs;
        private boolean reproducibleKeys;
        private Duration stepInterval = Duration.ofMillis(500);
        private Duration timeLimit = Duration.ofHours(24);
        private Duration roundTimeout = Duration.ofHours(1);
        private psyche.sim.LogicalClock logicalClock; // null: the wall clock
        private int servePort = -1;
        private String serveHost = "127.0.0.1";
        private final List<java.net.URI> peers = new ArrayList<>();
        private Path peersDir;
        private Safetensors.Dtype checkpointDtype = Safetensors.Dtype.BF16;
        private boolean peerDiscovery = true;
        private Duration peerRefresh = Duration.ofSeconds(2);
        private java.util.function.UnaryOperator<DistroResult> servedWire = ResultsExchange.HONEST;

        private Builder() { super(2); }

        @Override protected Builder self() { return this; }

        /**
         * Serve this session's results to other sessions on 127.0.0.1:{@code port} (0 = a free port). With discovery
         * on (the default), the session also registers in the run's peers directory and finds the other sessions there.
         */
        public Builder optServeResults(int port) { this.servePort = port; return this; }

        /** The address the results server binds (127.0.0.1; e.g. 0.0.0.0 for sessions on other machines). */
        public Builder optServeHost(String host) { this.serveHost = Objects.requireNonNull(host); return this; }

        /** Fetch results from another session's {@code resultsUrl()} (see {@link ChainTraining#addPeer}). */
        public Builder optPeer(java.net.URI resultsUrl) { this.peers.add(Objects.requireNonNull(resultsUrl)); return this; }

        /** The peers rendezvous base directory ({@link PeerDirectory#defaultBase()}: ~/.local/share/psyche/peers). */
        public Builder optPeersDir(Path dir) { this.peersDir = Objects.requireNonNull(dir); return this; }

        /** Whether a serving session registers in the peers directory and looks for peers there and at peers (true). */
        public Builder optPeerDiscovery(boolean on) { this.peerDiscovery = on; return this; }

        /** How often discovery looks for new peers (2 s). */
        public Builder optPeerRefresh(Duration d) { this.peerRefresh = Objects.requireNonNull(d); return this; }

        /** For tests: what the results server sends in place of each result's wire (a peer serving other bytes). */
        Builder optServedWire(java.util.function.UnaryOperator<DistroResult> f) { this.servedWire = Objects.requireNonNull(f); return this; }

        /** A run handle from {@code Psyche.local()/connect()}. */
        /**
         * The run to train. A run of {@code Psyche.localReproducible(.., clock)} brings its logical clock: the session
         * then steps that clock ({@link #optLogicalClock}), so which results make each round depends on steps taken,
         * never on how fast the machine trained them.
         */
        public Builder setRun(psyche.Run run) {
            if (run.clock() instanceof psyche.sim.LogicalClock logical) this.logicalClock = logical;
            return setRpc(run.cluster().rpc(), run.id());
        }

        /**
         * Follows the chain on {@code clock} instead of the wall clock: each client step advances it by the step
         * interval and no step waits, so a round's deadlines pass only as the session steps. For a local chain on
         * the same clock ({@code Psyche.localReproducible(.., clock)}); reports re-run to the same bytes with it.
         */
        public Builder optLogicalClock(psyche.sim.LogicalClock clock) {
            this.logicalClock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder setRpc(RpcClient rpc, String runId) {
            this.rpc = Objects.requireNonNull(rpc, "rpc");
            this.runId = Objects.requireNonNull(runId, "runId");
            return this;
        }

        /**
         * Epochs to train before ending, counted from the first one this session trains in: it ends at that many
         * epochs' last Cooldown, once their results are applied and the checkpoint saved; 0 = no bound by epochs.
         */
        public Builder optEpochs(long n) {
            if (n < 0) throw new TrainingException("epochs must be 0 (no bound) or more, got " + n);
            this.epochs = n;
            return this;
        }

        /** Weights of the Cooldown checkpoint: BF16 (Psyche's, the default) or F32 (exact, e.g. to compare sessions). */
        public Builder optCheckpointDtype(Safetensors.Dtype dtype) { this.checkpointDtype = Objects.requireNonNull(dtype); return this; }

        /**
         * Derives the clients' keypairs (signer and p2p) from the seed instead of fresh randomness, so a re-run has the
         * same signers, and with them the same shuffles and the same order of summing results. With a local chain
         * that takes round seeds from logical time ({@code Psyche.localReproducible}), a session bounded by
         * {@link #optSteps} then gives the same losses and checkpoint bytes run to run. Local reports only: whoever
         * knows the seed knows the keys.
         */
        public Builder optReproducibleKeys(boolean on) { this.reproducibleKeys = on; return this; }

        /** How often the clients read the state and act (500 ms, as Psyche's clients tick). */
        public Builder optStepInterval(Duration d) { this.stepInterval = Objects.requireNonNull(d); return this; }

        /** The session ends by itself after this long (24 h). */
        public Builder optTimeLimit(Duration d) { this.timeLimit = Objects.requireNonNull(d); return this; }

        /**
         * The session fails when the run stands in one state at one step this long (1 h) on the clients' clock (the
         * logical clock when there is one): no round comes, e.g. a run waiting for more clients or paused.
         */
        public Builder optRoundTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) throw new TrainingException("the round timeout must be positive, got " + d);
            this.roundTimeout = d;
            return this;
        }

        /** Finds the run, funds the clients' keypairs, opens the data and checks it against the model. */
        public ChainTraining build() {
            if (rpc == null) throw new IllegalStateException("setRun(run) or setRpc(rpc, runId) is required");
            return new ChainTraining(this);
        }

        public ChainTraining start() { return build().start(); }
    }
}
