package psyche.train.distro;

import ai.djl.ndarray.NDArray;

import java.util.Collection;

/** Global gradient-norm clipping as torch's {@code clip_grad_norm_}: scale by {@code max/(norm+1e-6)} when above. */
public final class GradClip {
    private GradClip() {}

    /** Clips the parameters' gradients in place and returns the norm before clipping. */
    public static double clip(Collection<NDArray> params, double maxNorm) {
        double sq = 0;
        for (NDArray p : params) {
            try (NDArray g = p.getGradient(); NDArray s = g.square().sum()) {
                sq += s.getFloat();
            }
        }
        double norm = Math.sqrt(sq);
        double coef = coefficient(norm, maxNorm);
        if (coef < 1.0) {
            for (NDArray p : params) {
                try (NDArray g = p.getGradient()) {
                    g.muli(coef);
                }
            }
        }
        return norm;
    }

    /** Clips one buffer holding every gradient in place and returns the norm before clipping. */
    public static double clip(NDArray grads, double maxNorm) {
        double norm;
        try (NDArray squares = grads.square(); NDArray sum = squares.sum()) {
            norm = Math.sqrt(sum.getFloat());
        }
        double coef = coefficient(norm, maxNorm);
        if (coef < 1.0) grads.muli(coef);
        return norm;
    }

    /**
     * The global norm of gradients held in an array, fed in pieces in order: four partial sums (element {@code i} into
     * sum {@code i % 4}, the last {@code n % 4} elements into the first; one sum would wait on the previous addition
     * each time), so the same norm bit for bit however the array is cut.
     */
    static final class SquareSum {
        private double s0, s1, s2, s3;

        /** Elements {@code [from, to)} of {@code v}, whose first {@code n} elements are summed in all. */
        void add(float[] v, int from, int to, int n) {
            int main = n - n % 4, i = from;
            // up to the next multiple of 4 one by one, then four at a time, then the rest
            for (; i < to && i % 4 != 0 && i < main; i++) lane(i, v[i]);
            for (; i + 4 <= to && i + 4 <= main; i += 4) {
                s0 += (double) v[i] * v[i];
                s1 += (double) v[i + 1] * v[i + 1];
                s2 += (double) v[i + 2] * v[i + 2];
                s3 += (double) v[i + 3] * v[i + 3];
            }
            for (; i < to; i++) {
                if (i < main) lane(i, v[i]);
                else s0 += (double) v[i] * v[i];
            }
        }

        private void lane(int at, float v) {
            double sq = (double) v * v;
            switch (at % 4) {
                case 0 -> s0 += sq;
                case 1 -> s1 += sq;
                case 2 -> s2 += sq;
                default -> s3 += sq;
            }
        }

        double norm() { return Math.sqrt((s0 + s1) + (s2 + s3)); }
    }

    /** The factor the gradients are scaled by: below 1 only when clipping is on and the norm is above the bound. */
    static double coefficient(double norm, double maxNorm) {
        return maxNorm > 0 ? Math.min(1.0, maxNorm / (norm + 1e-6)) : 1.0;
    }
}
