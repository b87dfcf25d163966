package psyche.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import psyche.config.Optimizer;
import psyche.train.distro.GradClip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AdamW as {@code torch.optim.AdamW} (decoupled weight decay applied first, bias-corrected moments). It shares
 * nothing between clients, so a session uses it only with one client.
 */
public final class AdamW implements AutoCloseable {
    private final Optimizer.AdamW config;
    private final List<NDArray> params;
    private final NDManager manager;
    private final List<NDArray> m = new ArrayList<>(), v = new ArrayList<>();
    private long t;

    public AdamW(Optimizer.AdamW config, Map<String, NDArray> params, NDManager parent) {
        this.config = config;
        this.params = new ArrayList<>(params.values());
        this.manager = parent.newSubManager();
        for (NDArray p : this.params) {
            m.add(manager.zeros(p.getShape(), p.getDataType()));
            v.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /** Clips the gradients when configured, then one update with learning rate {@code lr}. */
    public void step(double lr) {
        TorchRuntime.noGradOnThisThread();
        t++;
        double b1 = config.beta1(), b2 = config.beta2();
        double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float clip = config.clipGradNorm().orElse(0f);
            if (clip > 0) GradClip.clip(params, clip);
            for (int i = 0; i < params.size(); i++) {
                NDArray x = params.get(i);
                NDArray g = x.getGradient();
                if (config.weightDecay() != 0) x.muli(1 - lr * config.weightDecay());
                m.get(i).muli(b1).addi(g.mul(1 - b1));
                v.get(i).muli(b2).addi(g.square().mul(1 - b2));
                NDArray denom = v.get(i).div(c2).sqrt().add(config.eps());
                x.subi(m.get(i).div(c1).div(denom).mul(lr));
            }
        }
    }

    @Override public void close() {
        manager.close();
    }
}
