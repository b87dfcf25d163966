package psyche.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The setters every training session's builder has, written once ({@link Training.Builder} and
 * {@code psyche.train.chain.ChainTraining.Builder} extend it, as DJL's builders extend {@code BaseBuilder}); what they
 * set comes back as {@link #options()}.
 */
public abstract class SessionBuilder<B extends SessionBuilder<B>> {
    private int clients;
    private TorchRuntime.DeviceChoice device = TorchRuntime.DeviceChoice.AUTO;
    private LlamaConfig model;
    private Path dataset;
    private long steps;
    private Path checkpointDir;
    private Path resumeFrom;
    private long seed = 42;
    private double lrScale = 1.0;
    private final List<TrainingListener> listeners = new ArrayList<>();

    /** With {@code clients} clients unless {@link #optClients} says otherwise. */
    protected SessionBuilder(int clients) { this.clients = clients; }

    protected abstract B self();

    /** Clients in this JVM, each with its own model replica and optimizer state. */
    public B optClients(int n) { this.clients = n; return self(); }

    public B optDevice(TorchRuntime.DeviceChoice d) { this.device = Objects.requireNonNull(d, "device"); return self(); }

    public B optDevice(String d) { return optDevice(TorchRuntime.DeviceChoice.parse(d)); }

    /** Model size; default {@link LlamaConfig#tiny} with the dataset tokenizer's vocabulary. */
    public B optModel(LlamaConfig m) { this.model = m; return self(); }

    /** A u16 token file or directory instead of the configured data location (e.g. a path relative to a notebook). */
    public B optDataset(Path p) { this.dataset = p; return self(); }

    /** Rounds to train (0: the session's default, see each builder). */
    public B optSteps(long n) { this.steps = n; return self(); }

    /** Where {@code {run_id}-step{N}} checkpoints go. */
    public B optCheckpointDir(Path d) { this.checkpointDir = d; return self(); }

    /** Start from this checkpoint directory ({@code {run_id}-step{N}}): its weights, model size and step. */
    public B optResumeFrom(Path d) { this.resumeFrom = d; return self(); }

    /** Seed of the initial weights, the same on every client (42). */
    public B optSeed(long s) { this.seed = s; return self(); }

    /**
     * Multiplies every learning rate of the schedule (default 1): after a divergence, resume from the last finite
     * checkpoint with e.g. 0.5.
     */
    public B optLrScale(double scale) { this.lrScale = DivergenceGuard.lrScale(scale); return self(); }

    public B optListener(TrainingListener l) { this.listeners.add(Objects.requireNonNull(l, "listener")); return self(); }

    /** What was set. */
    public SessionOptions options() {
        return new SessionOptions(clients, device, model, dataset, steps, checkpointDir, resumeFrom, seed, lrScale, listeners);
    }
}
