package psyche.train;

import psyche.config.Optimizer;
import psyche.coordinator.BatchId;
import psyche.train.distro.CompressedTensor;
import psyche.train.distro.Distro;
import psyche.train.distro.DistroResult;

import java.util.List;

/**
 * One client's model replica and optimizer state, and the per-round step every kind of session runs for it (written
 * once here, used by in-process {@link Training} and by {@code psyche.train.chain.ChainTraining}): error correction →
 * forward/backward → (divergence check by the caller) → clip → compress ({@link Distro}), or an AdamW step; and, once
 * the round's consensus is known, apply.
 */
public final class TrainingStep implements AutoCloseable {
    private final LlamaModel model;
    private final Distro distro; // null with AdamW
    private final AdamW adam;    // null with DisTrO

    /** What one step gave: the loss, the tokens trained, the compressed result (DisTrO only) and where time went. */
    public record Outcome(float loss, long tokens, DistroResult result, byte[] wire, double forwardBackwardSeconds,
                          double compressSeconds) {
        /** Whether the loss was finite (when not, nothing was clipped, compressed or stepped). */
        public boolean finite() { return Float.isFinite(loss); }
    }

    public TrainingStep(LlamaModel model, Optimizer optimizer) {
        this.model = model;
        if (optimizer instanceof Optimizer.Distro d) {
            this.distro = new Distro(d, model.parameters(), model.manager());
            this.adam = null;
        } else if (optimizer instanceof Optimizer.AdamW a) {
            this.adam = new AdamW(a, model.parameters(), model.manager());
            this.distro = null;
        } else {
            throw new TrainingException("optimizer " + optimizer + " cannot train: use AdamW or Distro");
        }
    }

    public LlamaModel model() { return model; }

    /** Whether this client shares DisTrO results (else it steps AdamW alone). */
    public boolean sharesResults() { return distro != null; }

    /**
     * Trains {@code samples} (the sequences of {@code batch}) at {@code step}: DisTrO error correction with the previous
     * step's LR, forward/backward, and when the loss is finite, gradient clipping and the compressed result with
     * {@code trainerNonce} (or an AdamW step with {@code lr}). A non-finite loss returns at once, for the caller's
     * divergence guard.
     */
    public Outcome train(long step, long trainerNonce, BatchId batch, int[][] samples, double prevLr, double lr) {
        if (distro != null) distro.errorCorrection(prevLr);
        long f0 = System.nanoTime();
        model.zeroGradients();
        float loss = model.forwardBackward(samples);
        double fb = (System.nanoTime() - f0) / 1e9;
        long tokens = (long) samples.length * (samples[0].length - 1);
        if (!Float.isFinite(loss)) return new Outcome(loss, tokens, null, null, fb, 0);
        long c0 = System.nanoTime();
        DistroResult result = null;
        byte[] wire = null;
        if (distro != null) {
            distro.clipGradients();
            List<CompressedTensor> mine = distro.generate(prevLr, lr);
            result = new DistroResult(step, trainerNonce, batch.start(), batch.end(), mine);
            wire = result.encode();
        } else {
            adam.step(lr);
        }
        return new Outcome(loss, tokens, result, wire, fb, (System.nanoTime() - c0) / 1e9);
    }

    /**
     * Applies a round's consensus results with {@code lr}; {@code ownIncluded}: whether this client's own result is
     * among them (when not, its error feedback forgets it, as Psyche's).
     */
    public void apply(List<List<CompressedTensor>> results, double lr, boolean ownIncluded) {
        if (!ownIncluded) distro.forgetOwnResult();
        distro.apply(results, lr);
    }

    /** Nothing shared this round: nothing to take out of the error feedback later. */
    public void forgetOwnResult() { if (distro != null) distro.forgetOwnResult(); }

    /** Zeroes the DisTrO state (a cold-start epoch's first round). */
    public void resetState() { if (distro != null) distro.resetState(); }

    /** Whether every weight is finite: one native reduction (a sum overflows only on diverged weights). */
    public boolean weightsFinite() {
        try (ai.djl.ndarray.NDArray sum = model.parameters().flat().sum()) {
            return Float.isFinite(sum.getFloat());
        }
    }

    /** Closes the optimizer state; the model stays open (its owner closes it). */
    @Override public void close() {
        if (distro != null) distro.close();
        if (adam != null) adam.close();
    }
}
