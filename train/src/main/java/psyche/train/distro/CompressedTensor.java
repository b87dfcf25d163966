package psyche.train.distro;

import java.util.Arrays;

/**
 * DisTrO's compressed form of one parameter's residual: per tile the top-k DCT coefficients as (index within the
 * flattened tile, value). {@code xshape} is the tile shape; {@code totalk} the tile size. With 1-bit quantization the
 * values are the signs, {@code +1} or {@code -1}, and travel as sign bits.
 */
public record CompressedTensor(long[] xshape, long totalk, int k, int[] indices, float[] values, boolean quantized) {
    public CompressedTensor {
        xshape = xshape.clone();
        if (indices.length != values.length || indices.length != rows(xshape) * k) {
            throw new IllegalArgumentException("expected " + rows(xshape) + " tiles x " + k + " entries, got "
                    + indices.length + " indices and " + values.length + " values");
        }
    }

    @Override public long[] xshape() { return xshape.clone(); }

    /** Number of tiles: every dimension of the tile shape but the in-tile ones. */
    public static int rows(long[] xshape) {
        return (int) (xshape.length == 4 ? xshape[0] * xshape[1] : xshape[0]);
    }

    public int rows() { return rows(xshape); }

    /** The same coefficients reduced to their signs ({@code signbit}: -0.0 counts as negative). */
    public CompressedTensor quantize() {
        float[] signs = new float[values.length];
        for (int i = 0; i < signs.length; i++) {
            signs[i] = (Float.floatToRawIntBits(values[i]) < 0) ? -1f : 1f;
        }
        return new CompressedTensor(xshape, totalk, k, indices, signs, true);
    }

    /**
     * The canonical form a result travels and is committed in: within each tile the entries in ascending index order,
     * each value moved with its index (the mean scatter does not depend on the order). Returns {@code this} when
     * already sorted.
     *
     * @throws IllegalArgumentException for an index outside {@code [0, totalk)} or named twice in one tile
     */
    public CompressedTensor sortedByIndex() {
        int rows = rows();
        int[] idx = null;
        float[] val = null;
        long[] keys = null;
        for (int row = 0; row < rows; row++) {
            int from = row * k;
            boolean sorted = true;
            for (int j = 0; j < k; j++) {
                int v = indices[from + j];
                if (v < 0 || v >= totalk) {
                    throw new IllegalArgumentException("index " + v + " in tile " + row + " is outside [0, " + totalk + ")");
                }
                if (j > 0 && indices[from + j - 1] >= v) sorted = false;
            }
            if (sorted) continue;
            if (idx == null) {
                idx = indices.clone();
                val = values.clone();
                keys = new long[k];
            }
            // sort (index, position) pairs packed in a long: indices are non-negative ints
            for (int j = 0; j < k; j++) keys[j] = ((long) indices[from + j] << 32) | j;
            Arrays.sort(keys);
            for (int j = 0; j < k; j++) {
                int at = from + (int) keys[j];
                if (j > 0 && indices[at] == idx[from + j - 1]) {
                    throw new IllegalArgumentException("index " + indices[at] + " appears twice in tile " + row);
                }
                idx[from + j] = indices[at];
                val[from + j] = values[at];
            }
        }
        return idx == null ? this : new CompressedTensor(xshape, totalk, k, idx, val, quantized);
    }

    /** Bytes an index takes on the wire: u8, u16 or u32 by tile size, like Psyche's {@code compress_idx}. */
    public static int indexWidth(long totalk) {
        if (totalk <= 256) return 1;
        if (totalk <= 65536) return 2;
        return 4;
    }

    @Override public boolean equals(Object o) {
        return o instanceof CompressedTensor c && Arrays.equals(xshape, c.xshape) && totalk == c.totalk && k == c.k
                && Arrays.equals(indices, c.indices) && Arrays.equals(values, c.values) && quantized == c.quantized;
    }

    @Override public int hashCode() {
        return Arrays.hashCode(indices) * 31 + Arrays.hashCode(values);
    }

    @Override public String toString() {
        return "CompressedTensor[xshape=" + Arrays.toString(xshape) + ", totalk=" + totalk + ", k=" + k
                + ", entries=" + indices.length + (quantized ? ", 1-bit" : "") + "]";
    }
}
