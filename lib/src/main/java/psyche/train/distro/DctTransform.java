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

    /** DCT coefficients of {@code x}, shaped as {@link #tileShape}. */
    public NDArray encode(NDArray x) {
        long[] t = tileShape(x.getShape().getShape());
        if (t.length == 4) {
            NDArray tiles = x.reshape(t[0], t[2], t[1], t[3]).transpose(0, 2, 1, 3);
            NDArray f1 = matrix((int) t[2]), f2 = matrix((int) t[3]);
            return f1.transpose().matMul(tiles).matMul(f2);
        }
        return x.reshape(t[0], t[1]).matMul(matrix((int) t[1]));
    }

    /** Inverse of {@link #encode}: tiles back to the parameter's {@code [s1, s2]} or {@code [s]}. */
    public NDArray decode(NDArray tiles) {
        long[] t = tiles.getShape().getShape();
        if (t.length == 4) {
            NDArray f1 = matrix((int) t[2]), f2 = matrix((int) t[3]);
            NDArray x = f1.matMul(tiles).matMul(f2.transpose());
            return x.transpose(0, 2, 1, 3).reshape(t[0] * t[2], t[1] * t[3]);
        }
        return tiles.matMul(matrix((int) t[1]).transpose()).reshape(t[0] * t[1]);
    }

    @Override public void close() {
        manager.close();
    }
}
