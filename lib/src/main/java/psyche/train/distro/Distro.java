package psyche.train.distro;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import psyche.config.Optimizer;
import psyche.train.TorchRuntime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DisTrO (DeMo) optimizer of one client, as Psyche's {@code shared/modeling/src/distro.rs}: a residual
 * {@code delta} per parameter accumulates {@code lr * grad}; its top-k DCT coefficients are shared; the mean of all
 * shared coefficients, transformed back, gives the sign-SGD step that every client applies.
 *
 * <p>Per step: {@link #errorCorrection} before the forward pass, forward/backward, {@link #clipGradients},
 * {@link #generate} (returns this client's result), exchange, {@link #apply} with every result of the round.
 */
public final class Distro implements AutoCloseable {
    private final Optimizer.Distro config;
    private final Map<String, NDArray> params;
    private final NDManager manager;
    private final DctTransform transform;
    private final List<NDArray> deltas = new ArrayList<>();
    private List<CompressedTensor> ownPrevious;

    public Distro(Optimizer.Distro config, Map<String, NDArray> params, NDManager parent) {
        this.config = config;
        this.params = new LinkedHashMap<>(params);
        this.manager = parent.newSubManager();
        this.transform = new DctTransform(manager, config.compressionChunk());
        for (NDArray p : this.params.values()) {
            NDArray d = manager.zeros(p.getShape(), p.getDataType());
            deltas.add(d);
        }
    }

    public DctTransform transform() { return transform; }

    /** Residual of parameter {@code i} (in the order of the parameter map); for tests and diagnostics. */
    public float[] delta(int i) { return deltas.get(i).toFloatArray(); }

    /** Step 1: {@code x -= prevLr * sign(delta)}, the look-ahead used for the forward pass. */
    public void errorCorrection(double prevLr) {
        TorchRuntime.noGradOnThisThread();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int i = 0;
            for (NDArray x : params.values()) x.subi(deltas.get(i++).sign().mul(prevLr));
        }
    }

    /** Global grad-norm clipping when configured ({@code clip_grad_norm > 0}); returns the norm before clipping. */
    public double clipGradients() {
        TorchRuntime.noGradOnThisThread();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float max = config.clipGradNorm().orElse(0f);
            return max > 0 ? GradClip.clip(params.values(), max) : Double.NaN;
        }
    }

    /**
     * Step 2: undo the look-ahead, remove what this client shared last round, weight decay, decay the residual, add
     * {@code lr * grad}, and compress. Returns the result to share (sign values when {@code quantize_1bit}).
     */
    public List<CompressedTensor> generate(double prevLr, double lr) {
        TorchRuntime.noGradOnThisThread();
        List<CompressedTensor> full = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double wd = config.weightDecay().orElse(0f);
            int i = 0;
            for (NDArray x : params.values()) {
                NDArray delta = deltas.get(i);
                x.addi(delta.sign().mul(prevLr));
                if (ownPrevious != null) {
                    // What was shared already counts as applied: take it out of the residual. The unquantized
                    // coefficients are used (the residual is in lr*grad units, signs are not).
                    NDArray shared = transform.decode(DistroCodec.decompress(scope(delta), List.of(ownPrevious.get(i))));
                    delta.subi(shared);
                }
                if (wd != 0.0) x.muli(1.0 - lr * wd);
                if (config.compressionDecay() != 1.0f) delta.muli((double) config.compressionDecay());
                try (NDArray g = x.getGradient()) {
                    delta.addi(g.mul(lr));
                }
                full.add(DistroCodec.compress(transform.encode(delta), config.compressionTopk()));
                i++;
            }
        }
        ownPrevious = full;
        if (!config.quantize1bit()) return full;
        List<CompressedTensor> signs = new ArrayList<>(full.size());
        for (CompressedTensor c : full) signs.add(c.quantize());
        return signs;
    }

    /**
     * Zeroes every residual and forgets this client's last result: the start of a cold-start epoch (Psyche zeroes
     * the DisTrO state at round height 0 of such an epoch).
     */
    public void resetState() {
        TorchRuntime.noGradOnThisThread();
        for (NDArray d : deltas) d.muli(0);
        ownPrevious = null;
    }

    /** Forgets this client's last result, for a round whose consensus did not include it. */
    public void forgetOwnResult() { ownPrevious = null; }

    /**
     * Step 4: for every parameter, mean-scatter all results' coefficients, inverse DCT, sign, and
     * {@code x -= lr * sign}. {@code results} holds one list per client, each in parameter order.
     */
    public void apply(List<List<CompressedTensor>> results, double lr) {
        if (results.isEmpty()) return;
        TorchRuntime.noGradOnThisThread();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int i = 0;
            for (NDArray x : params.values()) {
                List<CompressedTensor> forParam = new ArrayList<>(results.size());
                for (List<CompressedTensor> r : results) forParam.add(r.get(i));
                NDArray update = transform.decode(DistroCodec.decompress(scope(x), forParam));
                x.subi(update.sign().mul(lr));
                i++;
            }
        }
    }

    private NDManager scope(NDArray like) { return like.getManager(); }

    @Override public void close() {
        transform.close();
        manager.close();
    }
}
