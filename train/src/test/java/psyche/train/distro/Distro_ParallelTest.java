package psyche.train.distro;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import psyche.config.Optimizer;
import psyche.train.LlamaConfig;
import psyche.train.LlamaModel;
import psyche.train.TorchRuntime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DisTrO's Java loops (top-k, the sparse inverse transforms, the element-wise steps) run in ranges on several threads:
 * the results must be bit-identical to one loop, whatever the split.
 */
class Distro_ParallelTest {
    @AfterEach void reset() { Parallel.forcedParts = 0; }

    @Test void topkOfManyTilesEqualsEachTileAlone() {
        int rows = 40, totalk = 64 * 64, k = 8;
        float[] coeffs = new float[rows * totalk];
        Random r = new Random(5);
        for (int i = 0; i < coeffs.length; i++) coeffs[i] = (float) r.nextGaussian();
        coeffs[3 * totalk + 17] = Float.NaN; // torch's order: NaN above everything
        Parallel.forcedParts = 3;
        assertTrue((long) rows * totalk >= Parallel.MIN_WORK, "the split path must be taken");
        CompressedTensor all = DistroCodec.compress(coeffs, 0, new long[] {rows, 1, 64, 64}, k);
        for (int row = 0; row < rows; row++) {
            CompressedTensor one = DistroCodec.compress(coeffs, row * totalk, new long[] {1, 1, 64, 64}, k);
            for (int e = 0; e < k; e++) {
                assertEquals(one.indices()[e], all.indices()[row * k + e], "tile " + row + " entry " + e);
                assertEquals(Float.floatToRawIntBits(one.values()[e]), Float.floatToRawIntBits(all.values()[row * k + e]));
            }
        }
    }

    @Test void topkFromATensorsMemoryEqualsTopkOfTheArray() {
        int rows = 40, totalk = 64 * 64, k = 8, from = 3;
        float[] coeffs = new float[from + rows * totalk];
        Random r = new Random(6);
        for (int i = 0; i < coeffs.length; i++) coeffs[i] = (float) r.nextGaussian();
        coeffs[from + 5 * totalk + 99] = Float.NaN;
        Arrays.fill(coeffs, from + 7 * totalk, from + 8 * totalk, 0f); // an all-zero tile: the first k indices
        java.nio.FloatBuffer buffer = java.nio.ByteBuffer.allocateDirect(4 * coeffs.length)
                .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().put(coeffs);
        for (int parts : new int[] {1, 3}) {
            Parallel.forcedParts = parts;
            CompressedTensor want = DistroCodec.compress(coeffs, from, new long[] {rows, 1, 64, 64}, k);
            CompressedTensor got = DistroCodec.compress(buffer, from, new long[] {rows, 1, 64, 64}, k, 1);
            assertArrayEquals(want.indices(), got.indices(), "parts " + parts);
            for (int e = 0; e < want.values().length; e++) {
                assertEquals(Float.floatToRawIntBits(want.values()[e]), Float.floatToRawIntBits(got.values()[e]), "entry " + e);
            }
            // the same tiles left in matrix layout, 4 across: [10, 64, 4, 64]
            int across = 4;
            java.nio.FloatBuffer matrix = java.nio.ByteBuffer.allocateDirect(4 * coeffs.length)
                    .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
            for (int t = 0; t < rows; t++) {
                for (int row = 0; row < 64; row++) {
                    int at = from + (((t / across) * 64 + row) * across + t % across) * 64;
                    matrix.put(at, coeffs, from + t * totalk + row * 64, 64);
                }
            }
            CompressedTensor laid = DistroCodec.compress(matrix, from, new long[] {rows, 1, 64, 64}, k, across);
            assertArrayEquals(want.indices(), laid.indices(), "matrix layout, parts " + parts);
            for (int e = 0; e < want.values().length; e++) {
                assertEquals(Float.floatToRawIntBits(want.values()[e]), Float.floatToRawIntBits(laid.values()[e]), "entry " + e);
            }
        }
    }

    @Test void squareSumInPiecesIsTheClipNormBitForBit() {
        Random r = new Random(8);
        for (int n : new int[] {1, 3, 4, 7, 4099, 10_002}) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
            double want = fourLaneNorm(v);
            for (int piece : new int[] {1, 3, 5, 4096, n}) {
                GradClip.SquareSum sum = new GradClip.SquareSum();
                for (int at = 0; at < n; at += piece) sum.add(v, at, Math.min(n, at + piece), n);
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(sum.norm()), "n " + n + " piece " + piece);
            }
        }
    }

    /** The clip norm as the whole-array loop computed it before it was summed in pieces (four lanes, the tail in the first). */
    private static double fourLaneNorm(float[] v) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= v.length; i += 4) {
            s0 += (double) v[i] * v[i];
            s1 += (double) v[i + 1] * v[i + 1];
            s2 += (double) v[i + 2] * v[i + 2];
            s3 += (double) v[i + 3] * v[i + 3];
        }
        for (; i < v.length; i++) s0 += (double) v[i] * v[i];
        return Math.sqrt((s0 + s1) + (s2 + s3));
    }

    @Test void stepsOnSeveralThreadsEqualOneThread() {
        TorchRuntime.noGradOnThisThread();
        // ~0.5M parameters: every run of tiles is above the split threshold
        LlamaConfig cfg = new LlamaConfig(128, 2, 4, 2, 256, 1024, 64, 10000.0, 1e-5, true);
        Optimizer.Distro dc = new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 8, 64, true);
        int[][] samples = new int[2][33];
        Random r = new Random(7);
        List<float[]> seen = new ArrayList<>();
        for (int parts : new int[] {1, 3}) {
            Parallel.forcedParts = parts;
            r.setSeed(7);
            List<Integer> indices = new ArrayList<>();
            try (LlamaModel m = LlamaModel.create(cfg, Device.cpu(), 11); Distro d = new Distro(dc, m.parameters(), m.manager())) {
                double prev = 0;
                for (int step = 0; step < 3; step++) {
                    for (int[] row : samples) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(cfg.vocabSize());
                    d.errorCorrection(prev);
                    m.zeroGradients();
                    m.forwardBackward(samples);
                    d.clipGradients();
                    List<CompressedTensor> mine = d.generate(prev, 1e-3);
                    for (CompressedTensor c : mine) for (int i : c.indices()) indices.add(i);
                    // a second, different result: the mean's decode names up to 16 coefficients per tile
                    List<CompressedTensor> other = new ArrayList<>();
                    for (CompressedTensor c : mine) {
                        int[] idx = c.indices().clone();
                        for (int i = 0; i < idx.length; i++) idx[i] = (idx[i] + 1 + i % 5) % (int) c.totalk();
                        other.add(new CompressedTensor(c.xshape(), c.totalk(), c.k(), idx, c.values(), false));
                    }
                    d.apply(List.of(mine, other), 1e-3);
                    prev = 1e-3;
                }
                int n = 0;
                for (NDArray p : m.parameters().values()) n += (int) p.size();
                float[] all = new float[n + indices.size()];
                int at = 0;
                for (NDArray p : m.parameters().values()) for (float f : p.toFloatArray()) all[at++] = f;
                for (int i : indices) all[at++] = i;
                seen.add(all);
            }
        }
        assertEquals(seen.get(0).length, seen.get(1).length);
        int[] a = new int[seen.get(0).length], b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.floatToRawIntBits(seen.get(0)[i]);
            b[i] = Float.floatToRawIntBits(seen.get(1)[i]);
        }
        assertArrayEquals(a, b, "parameters and shared indices after 3 steps, 1 vs 3 ranges");
    }
}
