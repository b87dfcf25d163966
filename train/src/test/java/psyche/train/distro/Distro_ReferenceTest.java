package psyche.train.distro;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import psyche.config.Optimizer;
import psyche.train.FlatParameters;
import psyche.train.Safetensors;
import psyche.train.TorchRuntime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DisTrO against {@link DistroReference}: same chunks, coefficients, top-k, mean scatter, decoded update and steps. */
class Distro_ReferenceTest {
    static NDManager manager;

    @BeforeAll static void engine() {
        TorchRuntime.noGradOnThisThread();
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll static void close() { manager.close(); }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new int[] {7, 13}, 4, 3),      // primes: chunk 1 on both axes
                Arguments.of(new int[] {12, 10}, 4, 5),     // chunks 4 x 2
                Arguments.of(new int[] {5}, 8, 8),          // 1-D, chunk larger than the dimension, k clamped
                Arguments.of(new int[] {30}, 7, 2),         // 1-D, chunk 6
                Arguments.of(new int[] {3, 64}, 64, 8),     // chunk larger than one dimension only
                Arguments.of(new int[] {11, 6}, 16, 1),     // prime rows, k = 1
                Arguments.of(new int[] {24, 36}, 64, 0));   // topk 0 clamps to 1
    }

    static double[] random(Random r, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextGaussian();
        return d;
    }

    static float[] f(double[] d) {
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) r[i] = (float) d[i];
        return r;
    }

    static double[] asDouble(float[] fs) {
        double[] d = new double[fs.length];
        for (int i = 0; i < fs.length; i++) d[i] = fs[i];
        return d;
    }

    @Test void chunkIsLargestDivisorNotAboveTarget() {
        assertEquals(4, DctTransform.chunkFor(12, 5));
        assertEquals(5, DctTransform.chunkFor(100, 7));
        assertEquals(25, DctTransform.chunkFor(100, 26));
        assertEquals(100, DctTransform.chunkFor(100, 101));
        assertEquals(1, DctTransform.chunkFor(1_000_000_007L, 64));
        assertEquals(64, DctTransform.chunkFor(4096, 64));
    }

    @Test void dctOfIdentityMatchesPsycheTable() {
        // truth table of distro.rs test_dct: dct(eye(4)) row j = basis values at position j
        double[][] f = DctTransform.dctMatrix(4);
        assertEquals(0.5, f[0][0], 1e-4);
        assertEquals(0.6533, f[0][1], 1e-4);
        assertEquals(0.2706, f[1][1], 1e-4);
        assertEquals(-0.6533, f[1][3], 1e-4);
        assertEquals(-0.2706, f[3][3], 1e-4);
    }

    @ParameterizedTest @MethodSource("shapes")
    void compressAndDecodeAgreeWithReference(int[] shape, int chunk, int topk) {
        Random r = new Random(Arrays.hashCode(shape) * 31L + chunk);
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] x1 = random(r, n), x2 = random(r, n);
        long[] lshape = Arrays.stream(shape).asLongStream().toArray();
        try (NDManager m = manager.newSubManager(); DctTransform t = new DctTransform(m, chunk)) {
            CompressedTensor c1 = DistroCodec.compress(t.encode(m.create(f(x1), new Shape(lshape))), topk);
            CompressedTensor c2 = DistroCodec.compress(t.encode(m.create(f(x2), new Shape(lshape))), topk);

            double[][] ref1 = DistroReference.encode(x1, shape, chunk), ref2 = DistroReference.encode(x2, shape, chunk);
            int[][] idx1 = DistroReference.topk(ref1, topk), idx2 = DistroReference.topk(ref2, topk);
            assertEquals(ref1.length, c1.rows(), "tile count");
            assertEquals(ref1[0].length, c1.totalk(), "tile size");
            assertEquals(idx1[0].length, c1.k(), "clamped k");
            for (int tile = 0; tile < ref1.length; tile++) {
                for (int j = 0; j < c1.k(); j++) {
                    int at = tile * c1.k() + j;
                    assertEquals(idx1[tile][j], c1.indices()[at], "index, tile " + tile + " rank " + j);
                    assertEquals(ref1[tile][idx1[tile][j]], c1.values()[at], 1e-4, "value, tile " + tile);
                }
            }

            // decoded update of the mean of both results
            double[] refUpdate = DistroReference.decode(DistroReference.scatterMean(ref1.length, ref1[0].length,
                    List.of(idx1, idx2), List.of(DistroReference.gather(ref1, idx1), DistroReference.gather(ref2, idx2))),
                    shape, chunk);
            float[] update = t.decode(DistroCodec.decompress(m, List.of(c1, c2))).toFloatArray();
            assertArrayEquals(f(refUpdate), update, 1e-4f);

            // the wire format carries the same thing back
            DistroResult res = new DistroResult(3, 9, 10, 19, List.of(c1, c2.quantize()));
            DistroResult back = DistroResult.decode(res.encode(), DistroLayout.of(List.of(c1, c2.quantize())));
            assertEquals(res, back);
            assertArrayEquals(res.commitment(), back.commitment());
            assertEquals(res.encode().length, res.byteCount());
        }
    }

    /**
     * Two clients, three full rounds (error correction, own-result subtraction, decay, wd, 1-bit), vs the oracle, with
     * the element steps in Java arrays (the CPU's form) and as tensor operations (a GPU's form).
     */
    @ParameterizedTest @MethodSource("optimizers")
    void fullRoundsAgreeWithReference(boolean oneBit, float weightDecay, boolean tensorSteps) {
        // neighbours in the parameter buffer with one in-tile shape and column count are transformed as one matrix:
        // {4,12}/{8,12}/{12,12} (4x4 tiles, three across), {8}/{12} (4); {4,8} (4x4) and {6,8} (3x4) share columns but
        // not tiles, so they stay apart; {13,4} has 1x4 tiles, {2,6} 2x3 tiles two across. With two results of top-3
        // (6 entries per tile) tiles with c1 + c2 > 6 decode sparsely, the others densely: both paths are covered,
        // each with a matrix more than one tile wide
        List<int[]> shapes = List.of(new int[] {8, 12}, new int[] {5}, new int[] {4, 8}, new int[] {8}, new int[] {13, 4},
                new int[] {12}, new int[] {12, 12}, new int[] {6, 8}, new int[] {4, 12}, new int[] {2, 6});
        int chunk = 4, topk = 3;
        float decay = 0.9f;
        Random r = new Random(oneBit ? 7 : 8);
        List<double[]> init = new ArrayList<>();
        for (int[] s : shapes) init.add(random(r, Arrays.stream(s).reduce(1, (a, b) -> a * b)));
        Optimizer.Distro cfg = new Optimizer.Distro(Optional.empty(), Optional.of(weightDecay), decay, topk, chunk, oneBit);

        try (NDManager m = manager.newSubManager()) {
            List<Map<String, NDArray>> params = new ArrayList<>();
            List<Distro> opts = new ArrayList<>();
            List<DistroReference.Client> refs = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
                for (int i = 0; i < shapes.size(); i++) {
                    tensors.put("p" + i, new Safetensors.Tensor(Arrays.stream(shapes.get(i)).asLongStream().toArray(), f(init.get(i))));
                }
                Map<String, NDArray> p = FlatParameters.of(m, tensors);
                params.add(p);
                opts.add(new Distro(cfg, p, m, tensorSteps));
                refs.add(new DistroReference.Client(init, shapes, chunk, topk, decay, weightDecay, oneBit));
            }
            double[] lrs = {0.0, 0.01, 0.02, 0.015};
            for (int step = 1; step <= 3; step++) {
                double prevLr = lrs[step - 1], lr = lrs[step];
                List<List<CompressedTensor>> results = new ArrayList<>();
                List<List<Object[]>> refResults = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    opts.get(c).errorCorrection(prevLr);
                    refs.get(c).errorCorrection(prevLr);
                    List<double[]> grads = new ArrayList<>();
                    for (int[] s : shapes) grads.add(random(r, Arrays.stream(s).reduce(1, (a, b) -> a * b)));
                    setGradients(params.get(c), grads);
                    results.add(opts.get(c).generate(prevLr, lr));
                    refResults.add(refs.get(c).generate(grads, prevLr, lr));
                }
                for (int c = 0; c < 2; c++) {
                    for (int p = 0; p < shapes.size(); p++) {
                        CompressedTensor got = results.get(c).get(p);
                        int[][] wantIdx = (int[][]) refResults.get(c).get(p)[0];
                        double[][] wantVal = (double[][]) refResults.get(c).get(p)[1];
                        for (int tile = 0; tile < wantIdx.length; tile++) {
                            for (int j = 0; j < got.k(); j++) {
                                assertEquals(wantIdx[tile][j], got.indices()[tile * got.k() + j], "step " + step + " param " + p);
                                assertEquals(wantVal[tile][j], got.values()[tile * got.k() + j], 1e-4);
                            }
                        }
                    }
                }
                for (int c = 0; c < 2; c++) {
                    opts.get(c).apply(results, lr);
                    refs.get(c).apply(refResults, lr);
                }
                for (int c = 0; c < 2; c++) {
                    int i = 0, skipped = 0, total = 0;
                    for (NDArray a : params.get(c).values()) {
                        float[] got = a.toFloatArray();
                        double[] want = refs.get(c).x.get(i);
                        boolean[] skip = refs.get(c).ambiguous.get(i);
                        total += got.length;
                        for (int e = 0; e < got.length; e++) {
                            if (skip[e]) {
                                skipped++;
                                continue;
                            }
                            assertEquals(want[e], got[e], 1e-4, "step " + step + " param " + i + " element " + e);
                        }
                        i++;
                    }
                    // 1-bit means of +-1 cancel exactly now and then; never for most of the model
                    assertTrue(skipped <= total / 4, skipped + " ambiguous of " + total);
                }
            }
            opts.forEach(Distro::close);
        }
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(Arguments.of(false, 0.0f, false), Arguments.of(true, 0.1f, false),
                Arguments.of(false, 0.0f, true), Arguments.of(true, 0.1f, true));
    }

    /** Makes autograd leave exactly {@code grads} in the parameters: d/dx sum(x * g) = g. */
    static void setGradients(Map<String, NDArray> params, List<double[]> grads) {
        for (NDArray a : params.values()) {
            if (a.hasGradient()) {
                try (NDArray g = a.getGradient()) { g.subi(g); }
            }
        }
        try (NDManager m = params.values().iterator().next().getManager().newSubManager();
             GradientCollector gc = m.getEngine().newGradientCollector()) {
            NDArray total = null;
            int i = 0;
            for (NDArray a : params.values()) {
                NDArray term = a.mul(m.create(f(grads.get(i++)), a.getShape())).sum();
                total = total == null ? term : total.add(term);
            }
            gc.backward(total);
        }
    }
}
