package psyche.train;

import psyche.config.Optimizer;
import psyche.coordinator.BatchId;
import psyche.train.distro.CompressedTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * The clients of one session in this JVM and the round they train, written once for both drivers: in-process rounds
 * ({@link RoundDriver#inProcess}) and rounds followed on a chain ({@code psyche.train.chain.ChainRoundDriver}), both
 * pulled by {@link RoundLoop}. A driver says when a round starts, which batch each client has and which results make
 * the consensus; this class runs the round:
 * every live client with a batch runs its {@link TrainingStep}, the {@link DivergenceGuard} watches losses and
 * weights, and every live client applies the consensus.
 */
public final class RoundTrainer implements AutoCloseable {
    private final List<TrainingStep> steps = new ArrayList<>();
    private final List<String> names;
    private final DivergenceGuard guard;

    /** What a round gave: per client its loss (NaN: no batch, or not live) and outcome (null likewise), and totals. */
    public record Trained(List<Float> losses, List<TrainingStep.Outcome> outcomes, long tokens,
                          double forwardBackwardSeconds, double compressSeconds, long resultBytes, int results,
                          long denseBytes) {
        /** The mean wire size of the round's results (0 without results). */
        public long meanResultBytes() { return results == 0 ? 0 : resultBytes / results; }
    }

    /** One {@link TrainingStep} per model (client order); {@code names} name the clients in divergence reports. */
    public RoundTrainer(List<LlamaModel> models, Optimizer optimizer, List<String> names, DivergenceGuard guard) {
        if (models.size() != names.size()) throw new IllegalArgumentException(models.size() + " models, " + names.size() + " names");
        this.names = List.copyOf(names);
        this.guard = guard;
        try {
            for (LlamaModel m : models) steps.add(new TrainingStep(m, optimizer));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public int size() { return steps.size(); }

    public TrainingStep client(int i) { return steps.get(i); }

    public DivergenceGuard guard() { return guard; }

    /**
     * Trains round {@code step}: client {@code i} trains {@code samples.get(i)} (the sequences of
     * {@code batches.get(i)}; null: no batch this round) with trainer nonce {@code nonce(i)}, unless it is not
     * {@code live}. A live client without a batch shares nothing this round, so it forgets its own last result. The
     * first non-finite loss stops the session through the guard (keeping {@code keepFrom}'s last finite state).
     */
    public Trained train(long step, List<BatchId> batches, List<int[][]> samples, IntPredicate live, IntToLongFunction nonce,
                         double prevLr, double lr, LlamaModel keepFrom) {
        List<Float> losses = new ArrayList<>();
        List<TrainingStep.Outcome> outcomes = new ArrayList<>();
        double fb = 0, comp = 0;
        long tokens = 0, bytes = 0, dense = 0;
        int results = 0;
        for (int i = 0; i < steps.size(); i++) {
            BatchId batch = batches.get(i);
            if (!live.test(i) || batch == null) {
                losses.add(Float.NaN);
                outcomes.add(null);
                if (live.test(i)) steps.get(i).forgetOwnResult(); // nothing shared this round: nothing to take out later
                continue;
            }
            TrainingStep.Outcome out = steps.get(i).train(step, nonce.applyAsLong(i), batch, samples.get(i), prevLr, lr);
            fb += out.forwardBackwardSeconds();
            if (!out.finite()) throw guard.lossNotFinite(step, names.get(i), out.loss(), steps.get(i).model(), lr, keepFrom);
            losses.add(out.loss());
            outcomes.add(out);
            tokens += out.tokens();
            comp += out.compressSeconds();
            if (out.wire() != null) {
                bytes += out.wire().length;
                results++;
                dense = out.result().denseBf16Bytes();
            }
        }
        guard.lossesFinite(); // every loss of this round was finite: the state it started from was good
        return new Trained(losses, outcomes, tokens, fb, comp, bytes, results, dense);
    }

    /**
     * Every live client applies a round's consensus {@code results} with {@code lr}; {@code ownIncluded(i)}: whether
     * client {@code i}'s own result is among them.
     */
    public void apply(List<List<CompressedTensor>> results, double lr, IntPredicate live, IntPredicate ownIncluded) {
        for (int i = 0; i < steps.size(); i++) {
            if (live.test(i)) steps.get(i).apply(results, lr, ownIncluded.test(i));
        }
    }

    /** Stops the session through the guard when a live client's weights are no longer finite. */
    public void checkWeights(long step, double lr, IntPredicate live, LlamaModel keepFrom) {
        for (int i = 0; i < steps.size(); i++) {
            if (live.test(i) && !steps.get(i).weightsFinite()) {
                throw guard.weightsNotFinite(step, names.get(i), steps.get(i).model(), lr, keepFrom);
            }
        }
    }

    /** Zeroes every live client's DisTrO state (a cold-start epoch's first round). */
    public void resetState(IntPredicate live) {
        for (int i = 0; i < steps.size(); i++) if (live.test(i)) steps.get(i).resetState();
    }

    /** Closes the optimizer states; the models stay with their owner. */
    @Override public void close() {
        steps.forEach(TrainingStep::close);
    }
}
