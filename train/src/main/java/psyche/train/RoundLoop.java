package psyche.train;

import psyche.coordinator.BatchId;
import psyche.train.distro.CompressedTensor;
import psyche.train.distro.DistroLayout;
import psyche.train.distro.DistroResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * The outer loop of every training session, written once: pull the next round from a {@link RoundDriver}, train it
 * with the session's {@link RoundTrainer}, hand the results to the driver and apply the consensus it returns, report.
 * An in-process session ({@link Training}) pulls from {@link RoundDriver#inProcess}; a session on a chain
 * ({@code psyche.train.chain.ChainTraining}) pulls from {@code ChainRoundDriver}, whose {@code next} and
 * {@code consensus} step the chain clients until the coordinator shows the round, or its witnessed results. What
 * differs between the sessions (LRs and their cold-start factor, who is live, checks, checkpoints) is their
 * {@link Session}.
 */
public final class RoundLoop {
    /** How a session trains the rounds the loop pulls. */
    public interface Session {
        /**
         * How {@code round} is trained: every client's batch and its sequences, who is live, trainer nonces, LRs;
         * empty ends the loop (e.g. interrupted while reading data, before any weight moved).
         */
        Optional<Plan> plan(RoundDriver.Round round);

        /** Checks a round's consensus before it is applied (may stop the session). */
        default void accept(long step, RoundDriver.Consensus consensus) {}

        /** The LR the consensus of {@code step} is applied with. */
        double applyLr(long step);

        /** After a round: its consensus was applied ({@code applied}) with {@code applyLr}, or nothing was. */
        default void applied(long step, Plan plan, Optional<RoundDriver.Consensus> applied, double applyLr) {}

        /** A trained round's report (history, listeners, periodic checkpoints). */
        void report(StepReport report);
    }

    /**
     * A round as the session trains it: client {@code i} trains {@code samples.get(i)} (of {@code batches.get(i)};
     * null: no batch) with trainer nonce {@code nonce(i)} unless not {@code live}; LRs of the previous and this step;
     * the model whose state the divergence guard keeps.
     */
    public record Plan(List<BatchId> batches, List<int[][]> samples, IntPredicate live, IntToLongFunction nonce,
                       double prevLr, double lr, LlamaModel keepFrom) {}

    private RoundLoop() {}

    /**
     * Pulls and trains rounds after {@code lastStep} until the driver has no more, the session's plan ends it or
     * {@code stop} says so; returns the last step trained. Results travel as wire bytes decoded against {@code layout}
     * (null: nothing is shared, e.g. AdamW).
     */
    public static long run(RoundDriver driver, RoundTrainer trainers, Session session, DistroLayout layout,
                           long totalSteps, long lastStep, BooleanSupplier stop) {
        while (!stop.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            Optional<RoundDriver.Round> next = driver.next(lastStep);
            if (next.isEmpty()) break;
            long step = next.get().step();
            long t0 = System.nanoTime();
            Optional<Plan> planned = session.plan(next.get());
            if (planned.isEmpty()) break;
            Plan plan = planned.get();
            RoundTrainer.Trained trained = trainers.train(step, plan.batches(), plan.samples(), plan.live(), plan.nonce(),
                    plan.prevLr(), plan.lr(), plan.keepFrom());
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            Optional<RoundDriver.Consensus> consensus = driver.consensus(step, trained, layout); // on a chain: witnessed
            double apply = 0, applyLr = plan.lr();
            if (consensus.isPresent()) {
                long a0 = System.nanoTime();
                session.accept(step, consensus.get());
                applyLr = session.applyLr(step);
                List<List<CompressedTensor>> tensors = new ArrayList<>();
                for (DistroResult r : consensus.get().results()) tensors.add(r.tensors());
                trainers.apply(tensors, applyLr, plan.live(), consensus.get().ownIncluded());
                apply = (System.nanoTime() - a0) / 1e9;
            }
            session.applied(step, plan, consensus, applyLr);
            double secs = trainSeconds + apply; // not the wait for witnesses
            long tokens = trained.tokens();
            lastStep = step;
            session.report(new StepReport(step, totalSteps, plan.lr(), trained.losses(), tokens,
                    secs > 0 ? tokens / secs : 0, secs, trained.forwardBackwardSeconds(), trained.compressSeconds(), apply,
                    trained.meanResultBytes(), trained.denseBytes()));
        }
        return lastStep;
    }
}
