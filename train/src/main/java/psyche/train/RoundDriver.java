package psyche.train;

import psyche.config.CoordinatorConfig;
import psyche.train.distro.DistroResult;

import java.util.List;
import java.util.Optional;

/**
 * What a coordinator tells the clients of an in-process session: which step to train next with which batch, and
 * which of the published results make the round's consensus. {@link #inProcess} follows the config alone (every
 * step, every result). The other driver follows a run on a chain: {@code psyche.train.chain.ChainTraining} takes
 * the rounds from the coordinator account its clients read (the step, each trainer's batch by
 * {@code DataAssignment.byTrainer}, the witnessed consensus one round later) and hands them to the same
 * {@link RoundTrainer}; it is pushed by the clients' reads rather than pulled through {@link #next}, because its
 * clients must witness in the same read in which they trained.
 */
public interface RoundDriver {
    /** A round to train: the step, the first sequence index of its global batch and the batch size. */
    record Round(long step, long dataIndex, int batchSize) {}

    /** The next round after {@code lastStep}, or empty when the run has no more steps. May block. */
    Optional<Round> next(long lastStep);

    /** The results every client applies for {@code step}, chosen among those published. */
    default List<DistroResult> consensus(long step, List<DistroResult> published) { return published; }

    /** Steps {@code from+1 ..= totalSteps} with Psyche's batch-size ramp ({@code get_batch_size}) and data index. */
    static RoundDriver inProcess(CoordinatorConfig config, long maxSeqLen, long totalSteps) {
        return lastStep -> {
            long step = lastStep + 1;
            if (step > totalSteps) return Optional.empty();
            long dataIndex = 0;
            for (long s = 1; s < step; s++) dataIndex += batchSize(config, dataIndex * maxSeqLen);
            return Optional.of(new Round(step, dataIndex, batchSize(config, dataIndex * maxSeqLen)));
        };
    }

    /** Psyche's {@code get_batch_size(tokens)}: linear ramp from start to end over the warmup tokens. */
    static int batchSize(CoordinatorConfig c, long tokens) {
        if (tokens >= c.globalBatchSizeWarmupTokens()) return c.globalBatchSizeEnd();
        double progress = (double) tokens / (double) c.globalBatchSizeWarmupTokens();
        return (int) Math.round(c.globalBatchSizeStart() + (c.globalBatchSizeEnd() - c.globalBatchSizeStart()) * progress);
    }
}
