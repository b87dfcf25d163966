package psyche.train;

import psyche.config.CoordinatorConfig;
import psyche.coordinator.BatchId;
import psyche.train.distro.DistroLayout;
import psyche.train.distro.DistroResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * What a coordinator tells the clients of a session: which step to train next with which batches, and which of the
 * published results make the round's consensus. {@link RoundLoop} pulls every session's rounds through one:
 * {@link #inProcess} follows the config alone (every step, every result);
 * {@code psyche.train.chain.ChainRoundDriver} follows a run on a chain (the step and each of this session's trainers'
 * batch as the coordinator account shows them, and, once the round's witnesses are in, the results they witnessed).
 */
public interface RoundDriver {
    /**
     * A round to train: the step, the first sequence index of its global batch and the batch size, and, when the
     * driver assigns them, each of the session's clients' batch in client order (null: none this round; an empty
     * list: the session assigns them itself, {@link AssignmentSource}).
     */
    record Round(long step, long dataIndex, int batchSize, List<BatchId> batches) {
        public Round {
            batches = java.util.Collections.unmodifiableList(new ArrayList<>(batches));
        }

        /** A round whose batches the session assigns. */
        public Round(long step, long dataIndex, int batchSize) { this(step, dataIndex, batchSize, List.of()); }
    }

    /**
     * What every live client of the session applies after a round: the chosen results, in one order for all, and
     * which clients' own results are among them (a client takes its own result out of its error feedback).
     */
    record Consensus(List<DistroResult> results, IntPredicate ownIncluded) {
        public Consensus { results = List.copyOf(results); }
    }

    /** The next round after {@code lastStep}, or empty when the session has no more rounds. May block. */
    Optional<Round> next(long lastStep);

    /**
     * The results every client applies for {@code step}, chosen among those published: the chooser of the default
     * {@link #consensus(long, RoundTrainer.Trained, DistroLayout)} (default: all of them). A driver that takes its
     * consensus from elsewhere (a chain's witnesses) overrides that method instead and never calls this one.
     */
    default List<DistroResult> consensus(long step, List<DistroResult> published) { return published; }

    /**
     * Hands a trained round's results over (client order; a client without an outcome published nothing) and returns
     * the consensus to apply, or empty when there is none to apply (nothing shared, or the session ends first). May
     * block. Default: the published results decoded against {@code layout} (null: nothing is shared, as with AdamW)
     * and chosen by {@link #consensus(long, List)}; a client's own result is the one whose trainer nonce is its index.
     */
    default Optional<Consensus> consensus(long step, RoundTrainer.Trained trained, DistroLayout layout) {
        if (layout == null) return Optional.empty();
        List<DistroResult> received = new ArrayList<>();
        for (TrainingStep.Outcome out : trained.outcomes()) {
            if (out != null && out.wire() != null) received.add(DistroResult.decode(out.wire(), layout));
        }
        List<DistroResult> chosen = consensus(step, received);
        return Optional.of(new Consensus(chosen, c -> chosen.stream().anyMatch(r -> r.trainerNonce() == c)));
    }

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
