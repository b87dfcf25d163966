package psyche.train.distro;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.HashMap;
import java.util.Map;

/**
 * Orthonormal DCT-II on chunk tiles (DisTrO's {@code TransformDCT}). A dimension of size {@code s} is cut into
 * chunks of the largest divisor of {@code s} that is {@code <= target} ({@code s} itself when {@code s < target});
 * a 2-D tensor {@code [s1, s2]} becomes tiles {@code [s1/c1, s2/c2, c1, c2]} transformed on both axes, a 1-D tensor
 * becomes {@code [s/c, c]}.
 */
public final class DctTransform implements AutoCloseable {
    private final int targetChunk;
    private final NDManager manager;
    private final Map<Integer, NDArray> forward = new HashMap<>();

    public DctTransform(NDManager parent, int targetChunk) {
        if (targetChunk < 1) throw new IllegalArgumentException("compression_chunk must be >= 1, got " + targetChunk);
        this.targetChunk = targetChunk;
        this.manager = parent.newSubManager();
    }

    /** Largest divisor of {@code n} that is {@code <= target}; {@code n} when {@code n <= target}. */
    public static long chunkFor(long n, long target) {
        if (n <= target) return n;
        for (long c = target; c >= 1; c--) if (n % c == 0) return c;
        return 1;
    }

    /** {@code F[j][b]}: value of orthonormal DCT-II basis vector {@code b} at position {@code j}. */
    public static double[][] dctMatrix(int n) {
        double[][] f = new double[n][n];
        for (int j = 0; j < n; j++) {
            for (int b = 0; b < n; b++) {
                double scale = b == 0 ? Math.sqrt(1.0 / n) : Math.sqrt(2.0 / n);
                f[j][b] = scale * Math.cos(Math.PI * (2 * j + 1) * b / (2.0 * n));
            }
        }
        return f;
    }

    /** The basis vectors of the size-{@code n} DCT as f32 rows: {@code [b][j] = F[j][b]}. */
    public static float[][] basisVectors(int n) {
        double[][] f = dctMatrix(n);
        float[][] vectors = new float[n][n];
        for (int b = 0; b < n; b++) for (int j = 0; j < n; j++) vectors[b][j] = (float) f[j][b];
        return vectors;
    }

    private synchronized NDArray matrix(int n) {
        return forward.computeIfAbsent(n, size -> {
            double[][] f = dctMatrix(size);
            float[] flat = new float[size * size];
            for (int j = 0; j < size; j++) for (int b = 0; b < size; b++) flat[j * size + b] = (float) f[j][b];
            NDArray m = manager.create(flat, new Shape(size, size));
            NDScope.unregister(m);
            return m;
        });
    }

    /** Tile shape for a parameter shape: {@code [s1/c1, s2/c2, c1, c2]} or {@code [s/c, c]}. */
    public long[] tileShape(long[] shape) {
        return tileShape(shape, targetChunk);
    }

    /** {@link #tileShape(long[])} for a given {@code compression_chunk}, without a transform (result layouts). */
    public static long[] tileShape(long[] shape, long targetChunk) {
        if (shape.length == 2) {
            long c1 = chunkFor(shape[0], targetChunk), c2 = chunkFor(shape[1], targetChunk);
            return new long[] {shape[0] / c1, shape[1] / c2, c1, c2};
        }
        if (shape.length == 1) {
            long c = chunkFor(shape[0], targetChunk);
            return new long[] {shape[0] / c, c};
        }
        throw new IllegalArgumentException("DisTrO handles 1-D and 2-D tensors, got rank " + shape.length);
    }

    /** In-tile dimensions of a tile shape: {@code {c1, c2}} or {@code {c}}. */
    public static long[] inTile(long[] xshape) {
        return xshape.length == 4 ? new long[] {xshape[2], xshape[3]} : new long[] {xshape[1]};
    }

    /** DCT of stacked tiles ({@code [rows, c1, c2]} or {@code [rows, c]}), same shape. */
    public NDArray encodeTiles(NDArray tiles) { return dct(tiles, tiles.getShape().dimension() == 3); }

    /**
     * DCT of every {@code c1 x c2} tile of the row-major matrix {@code x} ({@code rows * cols} values), left where the
     * tile lies: {@code [rows / c1, c1, cols]}, tile {@code (d, a)} (number {@code d * cols / c2 + a} row-major) in
     * rows {@code d * c1 ...} and columns {@code a * c2 ...}. The transforms run on the matrix as it lies (each row's
     * {@code c2}-blocks times {@code F2}, each block of {@code c1} rows by {@code F1^T}), so nothing is copied into
     * tile order (the reader gathers each tile's rows; see {@code DistroCodec.compress(FloatBuffer, ...)}).
     */
    public NDArray encodeMatrix(NDArray x, long rows, long cols, long c1, long c2) {
        long down = rows / c1, across = cols / c2;
        NDArray right = x.reshape(rows * across, c2).matMul(matrix((int) c2));
        return matrixTransposed((int) c1).matMul(right.reshape(down, c1, cols));
    }

    /** Inverse of {@link #encodeTiles}. */
    public NDArray decodeTiles(NDArray tiles) { return inverseDct(tiles, tiles.getShape().dimension() == 3); }

    /** DCT over the last axis, or over the last two ({@code twoD}): {@code F1^T T F2} per tile. */
    private NDArray dct(NDArray tiles, boolean twoD) {
        long[] t = tiles.getShape().getShape();
        int last = (int) t[t.length - 1];
        if (!twoD) return tiles.matMul(matrix(last));
        return matrixTransposed((int) t[t.length - 2]).matMul(tiles).matMul(matrix(last));
    }

    /** Inverse of {@link #dct} (the basis is orthonormal): {@code F1 C F2^T} per tile. */
    private NDArray inverseDct(NDArray coeffs, boolean twoD) {
        long[] t = coeffs.getShape().getShape();
        int last = (int) t[t.length - 1];
        if (!twoD) return coeffs.matMul(matrixTransposed(last));
        return matrix((int) t[t.length - 2]).matMul(coeffs).matMul(matrixTransposed(last));
    }

    /**
     * The basis vectors of the DCTs of several sizes in one table, for gathering them by index: size {@code n}'s
     * vector {@code b} ({@code F[:, b]}) is row {@code firstRow(n) + b}, zero-padded to {@code width}, the largest size.
     */
    public record PaddedBasis(NDArray table, Map<Integer, Integer> firstRows, int width) {
        public int firstRow(long size) { return firstRows.get((int) size); }

        /** The rows named by {@code ids} (any shape), as {@code [ids..., width]}. */
        public NDArray rows(NDArray ids) {
            return ids.getNDArrayInternal().embedding(ids, table, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
        }
    }

    /** {@link PaddedBasis} of the given sizes, allocated in {@code into} outside any scope. */
    public static PaddedBasis paddedBasis(NDManager into, java.util.SortedSet<Integer> sizes) {
        int width = sizes.last(), rows = sizes.stream().mapToInt(Integer::intValue).sum();
        float[] table = new float[rows * width];
        Map<Integer, Integer> firstRows = new HashMap<>();
        int row = 0;
        for (int n : sizes) {
            firstRows.put(n, row);
            for (float[] vector : basisVectors(n)) System.arraycopy(vector, 0, table, row++ * width, n);
        }
        NDArray t = into.create(table, new Shape(rows, width));
        NDScope.unregister(t);
        return new PaddedBasis(t, Map.copyOf(firstRows), width);
    }

    private final Map<Integer, NDArray> transposed = new HashMap<>();

    private synchronized NDArray matrixTransposed(int n) {
        return transposed.computeIfAbsent(n, size -> {
            NDArray t = matrix(size).transpose().duplicate();
            NDScope.unregister(t);
            return t;
        });
    }

    /** DCT coefficients of {@code x}, shaped as {@link #tileShape}. */
    public NDArray encode(NDArray x) {
        long[] t = tileShape(x.getShape().getShape());
        if (t.length == 4) return dct(x.reshape(t[0], t[2], t[1], t[3]).transpose(0, 2, 1, 3), true);
        return dct(x.reshape(t[0], t[1]), false);
    }

    /** Inverse of {@link #encode}: tiles back to the parameter's {@code [s1, s2]} or {@code [s]}. */
    public NDArray decode(NDArray tiles) {
        long[] t = tiles.getShape().getShape();
        if (t.length == 4) return inverseDct(tiles, true).transpose(0, 2, 1, 3).reshape(t[0] * t[2], t[1] * t[3]);
        return inverseDct(tiles, false).reshape(t[0] * t[1]);
    }

    @Override public void close() {
        manager.close();
    }
}
