package psyche.train.distro;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.FloatBuffer;
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
        return compress(coeffs.toType(DataType.FLOAT32, false).toFloatArray(), 0, coeffs.getShape().getShape(), topk);
    }

    /**
     * {@link #compress(NDArray, int)} of the tiles of shape {@code xshape} stored from {@code coeffs[from]} on. Ties
     * keep the lower index first; NaN counts as larger than any number, infinity included, as in torch's {@code topk}.
     */
    public static CompressedTensor compress(float[] coeffs, int from, long[] xshape, int topk) {
        int totalk = (int) (xshape.length == 4 ? xshape[2] * xshape[3] : xshape[1]);
        int rows = CompressedTensor.rows(xshape);
        int k = clampTopk(totalk, topk);
        int[] indices = new int[rows * k];
        float[] values = new float[rows * k];
        // tiles are independent: ranges of them on PyTorch's thread count (the same result as one loop)
        Parallel.forRange(rows, (long) rows * totalk, (fromRow, toRow) -> topk(coeffs, from, totalk, k, fromRow, toRow, indices, values));
        return new CompressedTensor(xshape, totalk, k, indices, values, false);
    }

    /**
     * {@link #compress(float[], int, long[], int)} of tiles read from {@code coeffs} (a buffer over a tensor's memory,
     * say) from {@code from} on, never copied whole to the heap: each tile is copied into a tile-sized array and
     * ranked there. {@code across} 1: the tiles lie one after the other; above 1: 2-D tiles lie {@code across} side
     * by side, as in the matrix they were cut from: {@code [tiles / across, c1, across, c2]}, tile {@code t} at row block
     * {@code t / across}, column block {@code t % across} (the layout of {@link DctTransform#encodeMatrix}). Each row
     * block is read once into an array; its tiles are gathered from there.
     */
    public static CompressedTensor compress(FloatBuffer coeffs, int from, long[] xshape, int topk, int across) {
        int totalk = (int) (xshape.length == 4 ? xshape[2] * xshape[3] : xshape[1]);
        int rows = CompressedTensor.rows(xshape);
        if (across < 1 || rows % across != 0 || (across > 1 && xshape.length != 4)) {
            throw new IllegalArgumentException(rows + " tiles " + java.util.Arrays.toString(xshape) + " do not lie " + across + " across");
        }
        int c1 = across == 1 ? 1 : (int) xshape[2], c2 = totalk / c1, rowBlock = totalk * across;
        int k = clampTopk(totalk, topk);
        int[] indices = new int[rows * k];
        float[] values = new float[rows * k];
        Parallel.forRange(rows, (long) rows * totalk, (fromRow, toRow) -> {
            float[] tile = new float[totalk], block = across == 1 ? tile : new float[rowBlock];
            int[] best = new int[k];
            int loaded = -1;
            for (int row = fromRow; row < toRow; row++) {
                if (across == 1) {
                    coeffs.get(from + row * totalk, tile, 0, totalk);
                } else {
                    int down = row / across, a = row % across;
                    if (down != loaded) {
                        coeffs.get(from + down * rowBlock, block, 0, rowBlock);
                        loaded = down;
                    }
                    for (int r = 0; r < c1; r++) System.arraycopy(block, (r * across + a) * c2, tile, r * c2, c2);
                }
                topk(tile, 0, totalk, k, row * k, best, indices, values);
            }
        });
        return new CompressedTensor(xshape, totalk, k, indices, values, false);
    }

    /** Top-k of tiles {@code [fromRow, toRow)} into their slots of {@code indices} and {@code values}. */
    private static void topk(float[] coeffs, int from, int totalk, int k, int fromRow, int toRow, int[] indices, float[] values) {
        int[] best = new int[k]; // magnitudes as bits: ordered as the floats, any NaN above infinity
        for (int row = fromRow; row < toRow; row++) topk(coeffs, from + row * totalk, totalk, k, row * k, best, indices, values);
    }

    /** Top-k of the tile at {@code coeffs[base]} into slots {@code [out, out + k)}; {@code best} is scratch of {@code k}. */
    private static void topk(float[] coeffs, int base, int totalk, int k, int out, int[] best, int[] indices, float[] values) {
        int filled = 0;
        for (int j = 0; j < totalk; ) {
            if (filled == k && j + SKIM <= totalk) {
                // most blocks hold nothing above the k-th largest so far: one branch-free pass over the block.
                // threshold - |v| bits is negative exactly when |v| ranks above it (NaN bits lie above infinity's)
                int threshold = best[k - 1], above = 0;
                for (int q = base + j; q < base + j + SKIM; q++) above |= threshold - (Float.floatToRawIntBits(coeffs[q]) & 0x7fffffff);
                if (above >= 0) {
                    j += SKIM;
                    continue;
                }
            }
            for (int end = filled == k ? Math.min(totalk, j + SKIM) : j + 1; j < end; j++) {
                int a = magnitude(coeffs[base + j]);
                if (filled == k && a <= best[k - 1]) continue;
                int at = filled < k ? filled++ : k - 1;
                while (at > 0 && a > best[at - 1]) { // insertion into the tile's list, largest first
                    best[at] = best[at - 1];
                    indices[out + at] = indices[out + at - 1];
                    at--;
                }
                best[at] = a;
                indices[out + at] = j;
            }
        }
        for (int e = 0; e < k; e++) values[out + e] = coeffs[base + indices[out + e]];
    }

    /** Coefficients per block that top-k skips when none is above the k-th largest so far. */
    private static final int SKIM = 32;

    /** |v| as its bits, which order as the magnitudes do; every NaN one above infinity (NaNs tie). */
    private static int magnitude(float v) {
        return Math.min(Float.floatToRawIntBits(v) & 0x7fffffff, 0x7f800001);
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
