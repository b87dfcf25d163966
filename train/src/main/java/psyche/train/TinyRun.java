package psyche.train;

import psyche.config.Architecture;
import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.DataType;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Run configs sized for the bundled {@code datasets/tiny} and the tiny model: they train on two CPU cores in minutes.
 * Timings mirror Psyche's {@code config/solana-test}; the batch is 16 sequences of 64 tokens.
 */
public final class TinyRun {
    private TinyRun() {}

    /**
     * DisTrO as in Psyche's light config (chunk 64, top-k 8, 1-bit), cosine LR 4e-3 with {@link #warmupSteps} warmup
     * steps.
     */
    public static RunConfig config(Path dataset, long totalSteps) {
        return config(dataset, totalSteps, new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 8, 64, true),
                new LrSchedule.Cosine(4e-3, 0.0, 4e-4, warmupSteps(totalSteps), totalSteps));
    }

    /**
     * 10 warmup steps, but at most half the run: a cosine schedule (Psyche's {@code CosineLR} too) divides by
     * {@code total_steps - warmup_steps}, so a 10-step run with 10 warmup steps got lr(10) = 0/0 = NaN, which the
     * sign step spread to every weight at step 9.
     */
    public static long warmupSteps(long totalSteps) {
        return Math.min(10, totalSteps / 2);
    }

    /**
     * The {@link LlamaConfig#llama2_20m} preset's run: sequences of 512 tokens, 8 per step (4,096 tokens), DisTrO as
     * {@link #config(Path, long)} and Psyche's llama2-20m runs (chunk 64, top-k 8, 1-bit), cosine LR 2e-3.
     */
    public static RunConfig llama2_20m(Path dataset, long totalSteps) {
        return config(dataset, totalSteps, new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 8, 64, true),
                new LrSchedule.Cosine(2e-3, 0.0, 2e-4, warmupSteps(totalSteps), totalSteps), 8, 512);
    }

    public static RunConfig config(Path dataset, long totalSteps, Optimizer optimizer, LrSchedule lr) {
        return config(dataset, totalSteps, optimizer, lr, 16, 64);
    }

    public static RunConfig config(Path dataset, long totalSteps, Optimizer optimizer, LrSchedule lr, int batch, int seqLen) {
        CoordinatorConfig c = new CoordinatorConfig(15, 30, 15, 1, 0, 60, totalSteps, 1, 1, 0, batch, batch, 0, 3);
        LlmModel m = new LlmModel(seqLen, 0, Architecture.HfLlama,
                new Checkpoint.Hub(new HubRepo("local/tiny-llama", Optional.empty())), DataType.Pretraining,
                new DataLocation.Local(dataset.toString()), lr, optimizer);
        return new RunConfig(c, m);
    }
}
