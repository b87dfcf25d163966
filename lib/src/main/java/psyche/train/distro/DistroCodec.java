package psyche.train.distro;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/** DisTrO's {@code CompressDCT}: per-tile top-k of DCT coefficients and the mean scatter that undoes it. */
public final class DistroCodec {
    private DistroCodec() {}

    /** {@code k = clamp(topk, 1, totalk)}. */
    public static int clampTopk(long totalk, int topk) {
        return (int) Math.max(1, Math.min(topk, totalk));
    }

    /**
     * Top-k by |value| within each flattened tile of {@code coeffs} (shape {@code [a, b, c1, c2]} or {@code [a, c]}).
     * Entries of a tile are listed by decreasing |value|.
     */
    public static CompressedTensor compress(NDArray coeffs, int topk) {
        long[] xshape = coeffs.getShape().getShape();
        long totalk = xshape.length == 4 ? xshape[2] * xshape[3] : xshape[1];
        int rows = CompressedTensor.rows(xshape);
        int k = clampTopk(totalk, topk);
        NDArray flat = coeffs.reshape(rows, totalk);
        NDList top = flat.abs().topK(k, -1, true, true);
        NDArray idx = top.get(1);
        float[] values = flat.gather(idx, -1).toType(DataType.FLOAT32, false).toFloatArray();
        long[] li = idx.toType(DataType.INT64, false).toLongArray();
        int[] indices = new int[li.length];
        for (int i = 0; i < li.length; i++) indices[i] = (int) li[i];
        return new CompressedTensor(xshape, totalk, k, indices, values, false);
    }

    /**
     * Scatter-reduce mean of several results for one parameter into zero tiles: a coefficient named by several
     * results gets the mean of their values, one named by none stays 0 (torch {@code scatter_reduce_(mean,
     * include_self=false)}).
     */
    public static float[] scatterMean(List<CompressedTensor> results) {
        CompressedTensor first = results.get(0);
        int rows = first.rows();
        int totalk = (int) first.totalk();
        float[] sum = new float[rows * totalk];
        int[] count = new int[rows * totalk];
        for (CompressedTensor r : results) {
            if (r.totalk() != first.totalk() || r.rows() != rows) {
                throw new IllegalArgumentException("results disagree on tile shape: " + first + " vs " + r);
            }
            int k = r.k();
            int[] idx = r.indices();
            float[] val = r.values();
            for (int row = 0; row < rows; row++) {
                for (int j = 0; j < k; j++) {
                    int pos = row * totalk + idx[row * k + j];
                    sum[pos] += val[row * k + j];
                    count[pos]++;
                }
            }
        }
        for (int i = 0; i < sum.length; i++) if (count[i] > 1) sum[i] /= count[i];
        return sum;
    }

    /** {@link #scatterMean} as a tensor of the tile shape. */
    public static NDArray decompress(NDManager manager, List<CompressedTensor> results) {
        return manager.create(scatterMean(results), new Shape(results.get(0).xshape()));
    }
}
