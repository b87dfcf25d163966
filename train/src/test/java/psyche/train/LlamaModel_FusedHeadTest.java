package psyche.train;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused, chunked lm_head + cross-entropy of {@link LlamaModel#forwardBackward} (hand-written head backward,
 * autograd from the final normed hidden states on) gives the loss and every parameter's gradient of the plain path
 * (whole logits, log_softmax, gather, mean, all through autograd) within float tolerance, untied (llama2-20m's shape)
 * and tied (the lm_head's gradient then adds to the embedding's), in one chunk and in several with a ragged last one.
 *
 * <p>Bound: both paths compute the same products; the fused one only splits the lm_head weight gradient's sum over
 * the B*T rows by chunk and runs the GEMMs with other row counts, so each gradient element differs by float32
 * re-association: at most about n * 2^-24 * sum|terms| for n summed terms. The terms here are of one sign-mixed scale,
 * so we bound the max difference per tensor by 1e-5 times that tensor's largest gradient magnitude (about 170 ulps
 * of the largest element, far below the differences of a real bug: a missing dW term, a wrong 1/N or a target
 * shifted by one row change gradients by O(1) of their scale), and the loss by 1e-6 relative.
 */
class LlamaModel_FusedHeadTest {
    @Test void llama2_20mShapedUntiedHeadEqualsAutograd() {
        TorchRuntime.noGradOnThisThread();
        LlamaConfig c = LlamaConfig.llama2_20m();
        assertTrue(!c.tieWordEmbeddings());
        int[][] batch = random(2, 65, c.vocabSize(), 7);
        try (LlamaModel m = LlamaModel.create(c, Device.cpu(), 1)) {
            compare(m, batch, LlamaModel.headChunkRows(c.vocabSize())); // 256 rows: one chunk of 128
            compare(m, batch, 48);                                       // 48, 48, 32
        }
    }

    @Test void tiedHeadEqualsAutograd() {
        TorchRuntime.noGradOnThisThread();
        LlamaConfig c = new LlamaConfig(32, 2, 4, 2, 48, 64, 32, 10000.0, 1e-5, true);
        int[][] batch = {{1, 5, 9, 13, 2, 7, 7, 63, 0, 4}, {3, 3, 3, 4, 5, 6, 60, 61, 62, 1}};
        try (LlamaModel m = LlamaModel.create(c, Device.cpu(), 5)) {
            compare(m, batch, LlamaModel.headChunkRows(c.vocabSize()));
            compare(m, batch, 5); // 5, 5, 5, 3
            compare(m, batch, 1);
        }
    }

    @Test void chunkRowsKeepLogitsUnderGlibcMmapThreshold() {
        assertEquals(256, LlamaModel.headChunkRows(32000));
        assertTrue(256L * 32000 * 4 < 32L << 20);
        assertEquals(64, LlamaModel.headChunkRows(128256));
        assertTrue(LlamaModel.headChunkRows(64) * 64L * 4 < 32L << 20);
    }

    private static void compare(LlamaModel m, int[][] batch, int chunkRows) {
        m.zeroGradients();
        float plain = m.forwardBackwardUnfused(batch);
        Map<String, float[]> expected = LlamaModel_ForwardBackwardTest.gradients(m);
        m.zeroGradients();
        float fused = m.forwardBackward(batch, () -> {}, chunkRows);
        Map<String, float[]> actual = LlamaModel_ForwardBackwardTest.gradients(m);
        assertEquals(plain, fused, 1e-6 * Math.abs(plain), "loss, chunks of " + chunkRows);
        assertEquals(plain, m.evalLoss(batch), 1e-6 * Math.abs(plain), "evaluation loss");
        double worst = 0;
        for (var e : expected.entrySet()) {
            float[] want = e.getValue(), got = actual.get(e.getKey());
            double scale = 0, diff = 0;
            for (int i = 0; i < want.length; i++) {
                scale = Math.max(scale, Math.abs(want[i]));
                diff = Math.max(diff, Math.abs(want[i] - got[i]));
            }
            assertTrue(scale > 0, e.getKey() + ": the reference gradient is not zero");
            assertTrue(diff <= 1e-5 * scale, e.getKey() + ", chunks of " + chunkRows + ": max |fused - autograd| " + diff
                    + " > 1e-5 x max |gradient| " + scale);
            worst = Math.max(worst, diff / scale);
        }
        System.out.printf("fused head, chunks of %d: loss %.9g vs %.9g, largest max|diff| / max|gradient| %.3g%n",
                chunkRows, fused, plain, worst);
    }

    static int[][] random(int rows, int cols, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] out = new int[rows][cols];
        for (int[] row : out) for (int i = 0; i < cols; i++) row[i] = r.nextInt(vocab);
        return out;
    }
}
