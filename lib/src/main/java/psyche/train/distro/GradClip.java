package psyche.train.distro;

import ai.djl.ndarray.NDArray;

import java.util.Collection;

/** Global gradient-norm clipping as torch's {@code clip_grad_norm_}: scale by {@code max/(norm+1e-6)} when above. */
public final class GradClip {
    private GradClip() {}

    /** Clips in place and returns the norm before clipping. */
    public static double clip(Collection<NDArray> params, double maxNorm) {
        double sq = 0;
        for (NDArray p : params) {
            try (NDArray g = p.getGradient(); NDArray s = g.square().sum()) {
                sq += s.getFloat();
            }
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (maxNorm > 0 && coef < 1.0) {
            for (NDArray p : params) {
                try (NDArray g = p.getGradient()) {
                    g.muli(coef);
                }
            }
        }
        return norm;
    }
}
