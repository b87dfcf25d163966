package psyche.train;

import ai.djl.Device;
import psyche.config.DataLocation;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;
import psyche.coordinator.BatchId;
import psyche.train.data.TokenDataProvider;
import psyche.train.distro.DistroLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process training session: N clients, each with its own model replica and optimizer state, follow Psyche's
 * round pipeline on a background thread. Per round every client trains its assigned range, compresses its DisTrO
 * result, all results are exchanged as wire bytes and each client applies the mean of the consensus.
 *
 * <pre>{@code
 * try (Training t = Training.builder().setConfig(cfg).optClients(3).optDataset(Path.of("datasets/tiny/train.bin")).build()) {
 *     t.start().await();
 * }
 * }</pre>
 */
public final class Training implements AutoCloseable, psyche.display.Viewable {
    private static final Pattern STEP_DIR = Pattern.compile(".*-step(\\d+)$");

    private final Builder b;
    private final SessionOptions o;
    private final List<TrainingListener> listeners;
    private final List<StepReport> history = new CopyOnWriteArrayList<>();
    private volatile boolean stopRequested;
    private volatile Thread thread;
    private volatile Throwable failure;
    private volatile boolean running;
    private volatile long lastStep;
    private volatile Path lastCheckpoint;
    private volatile LlamaModel finalModel;
    private final LlamaConfig modelConfig;
    private final TokenDataProvider data;
    private final Device device;

    private Training(Builder b) {
        this.b = b;
        this.o = b.options();
        this.listeners = List.copyOf(o.listeners());
        Objects.requireNonNull(b.config, "setConfig(RunConfig) is required");
        if (o.clients() < 1) throw new TrainingException("a session needs at least one client, got " + o.clients());
        if (b.config.model().architecture() != psyche.config.Architecture.HfLlama) {
            throw new TrainingException("architecture " + b.config.model().architecture() + " cannot train in-process: "
                    + "only HfLlama is implemented here (Psyche runs HfAuto/Torchtitan through a Python sidecar)");
        }
        Optimizer opt = b.config.model().optimizer();
        if (opt instanceof Optimizer.AdamW && o.clients() > 1) {
            throw new TrainingException("AdamW shares nothing between clients, so it trains only with one client; "
                    + "use optimizer Distro for " + o.clients() + " clients");
        }
        if (!(opt instanceof Optimizer.AdamW) && !(opt instanceof Optimizer.Distro)) {
            throw new TrainingException("optimizer " + opt + " cannot train: use AdamW or Distro");
        }
        this.device = TorchRuntime.device(o.device());
        long seqLen = b.config.model().maxSeqLen();
        if (seqLen <= 0 || seqLen > Integer.MAX_VALUE) throw new TrainingException("max_seq_len must be > 0, got " + seqLen);
        DataLocation location = o.dataLocation(b.config.model().dataLocation());
        this.data = TokenDataProvider.open(location, (int) seqLen);
        this.modelConfig = o.modelConfig(Optional.ofNullable(o.resumeFrom()), data, location, seqLen);
    }

    /** The vocabulary size of the {@code tokenizer.json} beside a Local dataset, if there is one. */
    public static Optional<Integer> tokenizerVocab(DataLocation location) {
        if (!(location instanceof DataLocation.Local l)) return Optional.empty();
        Path p = Path.of(l.path());
        Path tok = (Files.isDirectory(p) ? p : p.toAbsolutePath().getParent()).resolve("tokenizer.json");
        if (!Files.isRegularFile(tok)) return Optional.empty();
        return Optional.of(psyche.train.data.HfTokenizer.vocabSize(tok));
    }

    public static Builder builder() { return new Builder(); }

    /** A builder that continues from a checkpoint directory ({@code {run_id}-step{N}}): weights, model size, step. */
    public static Builder resumeFrom(Path checkpointDir) { return new Builder().optResumeFrom(checkpointDir); }

    public LlamaConfig modelConfig() { return modelConfig; }

    public TokenDataProvider data() { return data; }

    /** Starts the rounds on a background thread (daemon, so a notebook kernel can exit). */
    public synchronized Training start() {
        if (thread != null) throw new IllegalStateException("session already started");
        running = true; // visible before the thread starts, so isRunning() never reads a false gap
        thread = new Thread(this::runSafely, "psyche-training-" + b.runId);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Runs the rounds on the calling thread. */
    public Training run() {
        thread = Thread.currentThread();
        runSafely();
        rethrow();
        return this;
    }

    /** Waits for the session to end; rethrows its failure. */
    public Training await() {
        return await(Duration.ofDays(365));
    }

    public Training await(Duration timeout) {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingException("interrupted while waiting for the training session", e);
            }
        }
        rethrow();
        return this;
    }

    private void rethrow() { TrainingException.rethrow(failure, "training"); }

    /** Asks the session to end after the current round, waits for it, and keeps the last checkpoint. */
    public void stop() {
        stopRequested = true;
        TrainingException.join(thread);
    }

    public boolean isRunning() { return running; }

    public long step() { return lastStep; }

    public List<StepReport> history() { return Collections.unmodifiableList(history); }

    /** The step reports as a table ({@link StepReport#table}): step, lr, losses, tokens/s, result bytes, seconds. */
    public tech.tablesaw.api.Table steps() {
        int clients = history.stream().mapToInt(r -> r.clientLosses().size()).max().orElse(0);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < clients; c++) names.add("client " + c);
        return StepReport.table("steps", names, history);
    }

    public Optional<Path> lastCheckpoint() { return Optional.ofNullable(lastCheckpoint); }

    public Optional<Throwable> failure() { return Optional.ofNullable(failure); }

    /** A card: steps trained, latest loss and learning rate, throughput, checkpoint, failure. */
    @Override public psyche.display.Html view() {
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[]{"steps trained", psyche.display.Numbers.count(history.size())});
        rows.addAll(StepReport.cardRows(history));
        if (lastCheckpoint != null) rows.add(new String[]{"checkpoint", lastCheckpoint.toString()});
        if (failure != null) rows.add(new String[]{"failed", String.valueOf(failure.getMessage())});
        return psyche.display.Cards.keyValues("Training — " + (failure != null ? "failed" : running ? "running" : "stopped"), rows);
    }

    private void runSafely() {
        running = true;
        try {
            runRounds();
        } catch (Throwable t) {
            failure = t;
        } finally {
            running = false;
            for (TrainingListener l : listeners) l.onEnd(lastStep, failure);
        }
    }

    private void runRounds() {
        TorchRuntime.noGradOnThisThread();
        int n = o.clients();
        List<LlamaModel> models = new ArrayList<>();
        RoundTrainer trainers = null;
        long startStep = 0;
        try {
            LlamaModel first = o.resumeFrom() != null ? LlamaModel.load(o.resumeFrom(), device) : LlamaModel.create(modelConfig, device, o.seed());
            if (o.resumeFrom() != null) startStep = stepOf(o.resumeFrom());
            models.add(first);
            for (int c = 1; c < n; c++) models.add(first.copy());
            DivergenceGuard guard = new DivergenceGuard(o.checkpointDir(), b.runId, dataLocation(), "bin/run-manager train",
                    (step, dir) -> {
                        lastCheckpoint = dir;
                        for (TrainingListener l : listeners) l.onCheckpoint(step, dir);
                    });
            guard.keep(first, startStep);
            Optimizer opt = b.config.model().optimizer();
            // every client's result has this layout; results travel without shapes and decode against it
            DistroLayout layout = opt instanceof Optimizer.Distro d ? DistroLayout.forParameters(first.parameters(), d) : null;
            List<String> names = new ArrayList<>();
            for (int c = 0; c < n; c++) names.add("client " + c);
            trainers = new RoundTrainer(models, opt, names, guard);
            LrSchedule schedule = b.config.model().lrSchedule();
            Optional<ColdStartWarmup> coldStart = inProcessColdStart(b.config.model().coldStartWarmupSteps(),
                    o.resumeFrom() != null, startStep);
            long totalSteps = o.steps() > 0 ? o.steps() : b.config.config().totalSteps();
            RoundDriver driver = b.driver != null ? b.driver
                    : RoundDriver.inProcess(b.config.config(), b.config.model().maxSeqLen(), totalSteps);
            AssignmentSource assignment = b.assignment != null ? b.assignment : AssignmentSource.contiguous();
            lastStep = startStep;
            long firstStep = startStep;
            RoundTrainer rounds = trainers;
            long[] saved = {-1};
            RoundLoop.Session session = new RoundLoop.Session() {
                @Override public Optional<RoundLoop.Plan> plan(RoundDriver.Round round) {
                    long step = round.step();
                    double lr = o.lrScale() * lr(schedule, step, coldStart);
                    double prevLr = step > 0 ? o.lrScale() * lr(schedule, step - 1, coldStart) : 0;
                    double nextLr = applyLr(step);
                    // the weights are f32: an LR beyond f32's range is as infinite as a NaN one
                    if (!Float.isFinite((float) lr) || !Float.isFinite((float) prevLr) || !Float.isFinite((float) nextLr)) {
                        // no weight has moved this round and the last round left them finite: keep them as they are
                        guard.keep(models.get(0), step - 1);
                        throw guard.diverged(step, null, DivergenceGuard.LR, "lr(" + (step - 1) + ".." + (step + 1) + ") = "
                                + prevLr + ", " + lr + ", " + nextLr + " from " + schedule
                                + " (a Cosine/Linear schedule needs total_steps > warmup_steps)", lr, models.get(0));
                    }
                    List<BatchId> ranges = round.batches().isEmpty()
                            ? assignment.assign(step, round.dataIndex(), round.batchSize(), n) : round.batches();
                    // fetch every client's data before any weight moves, so an interrupt here leaves a consistent model
                    List<int[][]> batches = new ArrayList<>();
                    try {
                        for (BatchId range : ranges) batches.add(range == null ? null : samples(range));
                    } catch (RuntimeException e) {
                        if (Thread.currentThread().isInterrupted()) return Optional.empty();
                        throw e;
                    }
                    if (step > firstStep + 1) guard.roundStarts(models.get(0), step - 1);
                    return Optional.of(new RoundLoop.Plan(ranges, batches, c -> true, c -> c, prevLr, lr, models.get(0)));
                }

                @Override public void accept(long step, RoundDriver.Consensus consensus) {
                    int min = Math.max(1, b.config.config().minClients());
                    if (consensus.results().size() < min) {
                        // Psyche's coordinator would fall back to WaitingForMembers; in-process there is nobody to wait for
                        throw new TrainingException("round " + step + " has results from " + consensus.results().size()
                                + " client(s), fewer than min_clients " + min + ": the session stopped; resume with "
                                + "more clients or a lower min_clients");
                    }
                }

                @Override public double applyLr(long step) {
                    return o.lrScale() * Training.applyLr(schedule, step, coldStart);
                }

                @Override public void applied(long step, RoundLoop.Plan plan, Optional<RoundDriver.Consensus> applied,
                                              double applyLr) {
                    rounds.checkWeights(step, applyLr, c -> true, models.get(0));
                }

                @Override public void report(StepReport report) {
                    lastStep = report.step();
                    history.add(report);
                    for (TrainingListener l : listeners) l.onStep(report);
                    if (o.checkpointDir() != null && b.checkpointEvery > 0 && report.step() % b.checkpointEvery == 0) {
                        saveCheckpoint(models.get(0), report.step());
                        saved[0] = report.step();
                    }
                }
            };
            RoundLoop.run(driver, trainers, session, layout, totalSteps, startStep, () -> stopRequested);
            long savedStep = saved[0];
            if (o.checkpointDir() != null && savedStep != lastStep && lastStep > startStep) {
                // an interrupt ends the rounds, not the final save: NIO file channels would close on the set flag
                boolean interrupted = Thread.interrupted();
                try {
                    saveCheckpoint(models.get(0), lastStep);
                } finally {
                    if (interrupted) Thread.currentThread().interrupt();
                }
            }
        } finally {
            if (trainers != null) trainers.close();
            for (int c = 1; c < models.size(); c++) models.get(c).close();
            if (!models.isEmpty()) {
                LlamaModel old = finalModel;
                finalModel = models.get(0);
                if (old != null) old.close();
            }
        }
    }

    private DataLocation dataLocation() {
        return o.dataLocation(b.config.model().dataLocation());
    }

    private int[][] samples(BatchId range) { return data.samplesWrapping(range); }

    /**
     * The LR warmup of a cold-start epoch over steps {@code [startStep, endStep]} (Psyche's {@code warmup_lr_between}
     * = {@code [epoch start_step, start_step + cold_start_warmup_steps]}, {@code Coordinator::get_cold_start_warmup_bounds}).
     */
    public record ColdStartWarmup(long startStep, long endStep) {
        public ColdStartWarmup {
            if (endStep <= startStep) {
                throw new IllegalArgumentException("a cold-start warmup needs endStep > startStep, got [" + startStep
                        + ", " + endStep + "]: cold_start_warmup_steps must be > 0");
            }
        }

        /** {@code [startStep, startStep + coldStartWarmupSteps]}, or empty when {@code coldStartWarmupSteps} is 0. */
        public static Optional<ColdStartWarmup> of(long startStep, long coldStartWarmupSteps) {
            return coldStartWarmupSteps <= 0 ? Optional.empty()
                    : Optional.of(new ColdStartWarmup(startStep, startStep + coldStartWarmupSteps));
        }

        /**
         * The LR factor of {@code Trainer::get_lr} ({@code shared/modeling/src/trainer.rs}): {@code (step - start) /
         * (end - start)} for {@code start <= step <= end} (0 at the first step of the epoch, 1 at the end), else 1.
         */
        public double lrFactor(long step) {
            return step >= startStep && step <= endStep ? (double) (step - startStep) / (double) (endStep - startStep) : 1.0;
        }
    }

    /**
     * The LR that step {@code resultStep}'s consensus results are applied with, in every kind of session: Psyche applies
     * them when step {@code resultStep + 1} starts, with that step's LR ({@code trainer.apply_distro_results(state.step)}),
     * cold-start factor included.
     */
    public static double applyLr(LrSchedule schedule, long resultStep, Optional<ColdStartWarmup> coldStart) {
        return lr(schedule, resultStep + 1, coldStart);
    }

    /** The LR a client uses at {@code step}: the schedule's, times the cold-start factor when there is one. */
    public static double lr(LrSchedule schedule, long step, Optional<ColdStartWarmup> coldStart) {
        double lr = schedule.lr(step);
        return coldStart.isPresent() ? lr * coldStart.get().lrFactor(step) : lr;
    }

    /**
     * Whether an in-process session is a cold-start epoch. Psyche marks an epoch cold-start only after a pause (a fresh
     * run's first epoch is not one: {@code cold_start_epoch} starts false); the in-process analogue of resuming a
     * paused run is resuming from a checkpoint, with the weights carried over and the DisTrO state fresh. So: with
     * {@code cold_start_warmup_steps > 0} and a resume, the steps {@code [first step, first step + warmup steps]}
     * are warmed up; a session from fresh weights relies on the schedule's own warmup. (Psyche's other cold-start
     * rules need no code here: the DisTrO state of a new session is already zero, and the trainer-nonce filter
     * concerns late P2P joiners, which an in-process session, whose clients all start together, does not have.)
     */
    static Optional<ColdStartWarmup> inProcessColdStart(long coldStartWarmupSteps, boolean resumed, long lastStepBefore) {
        return resumed ? ColdStartWarmup.of(lastStepBefore + 1, coldStartWarmupSteps) : Optional.empty();
    }

    /** Step number of a {@code {run_id}-step{N}} directory, -1 when the name has none. */
    public static long stepOf(Path checkpointDir) {
        Matcher m = STEP_DIR.matcher(checkpointDir.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private void saveCheckpoint(LlamaModel model, long step) {
        Path dir = o.checkpointDir().resolve(b.runId + "-step" + step);
        model.save(dir, Safetensors.Dtype.BF16, b.maxShardBytes); // bf16, like Psyche's checkpoints
        copyTokenizer(dataLocation(), dir);
        lastCheckpoint = dir;
        for (TrainingListener l : listeners) l.onCheckpoint(step, dir);
        evaluateHeldOut(model, step, dir);
    }

    /**
     * The held-out set: {@link Builder#optHeldOut}, else the {@code valid.bin} beside a dataset file {@code train.bin}
     * (the bundled datasets' layout); empty when there is none.
     */
    private Optional<Path> heldOutFile() {
        if (b.heldOut != null) return Optional.of(b.heldOut);
        if (o.dataset() == null || !o.dataset().getFileName().toString().equals("train.bin")) return Optional.empty();
        Path valid = o.dataset().resolveSibling("valid.bin");
        return Files.isRegularFile(valid) ? Optional.of(valid) : Optional.empty();
    }

    /** Mean loss of {@code model} on the first {@code heldOutSequences} sequences of the held-out set, told to the listeners. */
    private void evaluateHeldOut(LlamaModel model, long step, Path checkpoint) {
        Optional<Path> file = heldOutFile();
        if (file.isEmpty() || b.heldOutSequences <= 0) return;
        int seqLen = (int) b.config.model().maxSeqLen();
        try (TokenDataProvider valid = TokenDataProvider.open(new DataLocation.Local(file.get().toString()), seqLen)) {
            int n = (int) Math.min(b.heldOutSequences, valid.numSequences());
            if (n <= 0) return;
            int[][] samples = valid.samples(new BatchId(0, n - 1));
            float loss = model.evalLoss(samples);
            long tokens = (long) n * seqLen;
            for (TrainingListener l : listeners) l.onEvaluation(step, "valid", loss, tokens, checkpoint);
        }
    }

    /**
     * Copies the Hugging Face {@code tokenizer.json} (and {@code tokenizer_config.json} when there is one) beside a Local
     * dataset into a checkpoint directory, so it decodes alone and {@code AutoTokenizer.from_pretrained} loads it.
     */
    public static void copyTokenizer(DataLocation loc, Path dir) {
        if (loc instanceof DataLocation.Local l) {
            Path p = Path.of(l.path());
            Path tok = (Files.isDirectory(p) ? p : p.toAbsolutePath().getParent()).resolve("tokenizer.json");
            if (Files.isRegularFile(tok)) {
                try {
                    Files.copy(tok, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
                    Path tokConfig = tok.resolveSibling("tokenizer_config.json");
                    if (Files.isRegularFile(tokConfig)) {
                        Files.copy(tokConfig, dir.resolve("tokenizer_config.json"), StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new TrainingException("cannot copy tokenizer into checkpoint " + dir + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Mean loss of the trained model (client 0) on {@code batch} of this session's data; after the session ended. */
    public float evalLoss(BatchId batch) {
        return evalLoss(samples(batch));
    }

    /** Mean loss of the trained model (client 0) on any samples ({@code seqLen + 1} tokens each). */
    public float evalLoss(int[][] samples) {
        LlamaModel m = finalModel;
        if (m == null || isRunning()) throw new TrainingException("evaluation needs a finished session: await() or stop() first");
        TorchRuntime.noGradOnThisThread();
        return m.evalLoss(samples);
    }

    /** The trained weights of client 0 by Hugging Face name; after the session ended. */
    public java.util.Map<String, Safetensors.Tensor> weights() {
        LlamaModel m = finalModel;
        if (m == null || isRunning()) throw new TrainingException("weights are available once the session has ended");
        return m.stateDict();
    }

    /** Greedy continuation of {@code prompt} by {@code n} tokens with the trained model. */
    public int[] sample(int[] prompt, int n) { return sample(prompt, n, 0, 0); }

    /** Continues {@code prompt} with the trained model (greedy when {@code temperature <= 0}). */
    public int[] sample(int[] prompt, int n, double temperature, long seed) {
        LlamaModel m = finalModel;
        if (m == null || isRunning()) throw new TrainingException("sampling needs a finished session: await() or stop() first");
        TorchRuntime.noGradOnThisThread();
        return m.sample(prompt, n, temperature, seed);
    }

    /** Continues {@code prompt} with a checkpoint loaded from disk. */
    public static int[] sample(Path checkpointDir, int[] prompt, int n, double temperature, long seed) {
        TorchRuntime.noGradOnThisThread();
        try (LlamaModel m = LlamaModel.load(checkpointDir, Device.cpu())) {
            return m.sample(prompt, n, temperature, seed);
        }
    }

    @Override public void close() {
        stop();
        LlamaModel m = finalModel;
        finalModel = null;
        if (m != null) m.close();
        data.close();
    }

    /**
     * Required: {@link #setConfig}; everything else optional: one client by default; {@code optSteps} is the last step
     * to train (default: the config's total_steps).
     */
    public static final class Builder extends SessionBuilder<Builder> {
        private RunConfig config;
        private long checkpointEvery;
        private String runId = "run";
        private AssignmentSource assignment;
        private RoundDriver driver;
        private long maxShardBytes;
        private Path heldOut;
        private int heldOutSequences = 8;

        private Builder() { super(1); }

        @Override protected Builder self() { return this; }

        public Builder setConfig(RunConfig config) { this.config = config; return this; }

        /** Also checkpoint every {@code n} steps (0 = only at the end). */
        public Builder optCheckpointEvery(long n) { this.checkpointEvery = n; return this; }

        /** Names checkpoints {@code {runId}-step{N}}. */
        public Builder optRunId(String id) { this.runId = id; return this; }

        /** Checkpoints in safetensors shards of at most this many bytes with an index (0, the default: one file). */
        public Builder optMaxShardBytes(long bytes) { this.maxShardBytes = bytes; return this; }

        /**
         * Held-out token file evaluated at every checkpoint (default: {@code valid.bin} beside a {@code train.bin}
         * dataset) on its first {@code sequences} sequences (default 8; 0 turns evaluation off).
         */
        public Builder optHeldOut(Path file, int sequences) {
            this.heldOut = file;
            this.heldOutSequences = sequences;
            return this;
        }

        public Builder optAssignment(AssignmentSource a) { this.assignment = a; return this; }

        public Builder optRoundDriver(RoundDriver d) { this.driver = d; return this; }

        public Training build() { return new Training(this); }
    }
}
