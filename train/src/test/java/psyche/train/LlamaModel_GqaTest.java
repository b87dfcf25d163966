package psyche.train;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Grouped-query attention follows HF's repeat_kv (KV head j serves query heads j*rep .. j*rep+rep-1): a GQA model
 * equals the full multi-head model whose k/v projections repeat each KV head's rows {@code rep} times.
 */
class LlamaModel_GqaTest {
    @Test void gqaEqualsMultiHeadWithRepeatedKvHeads() {
        TorchRuntime.noGradOnThisThread();
        LlamaConfig gqa = new LlamaConfig(32, 2, 4, 2, 48, 64, 32, 10000.0, 1e-5, false);
        LlamaConfig mha = new LlamaConfig(32, 2, 4, 4, 48, 64, 32, 10000.0, 1e-5, false);
        int[][] tokens = {{1, 5, 9, 13, 2, 7, 7, 63, 0}, {3, 3, 3, 4, 5, 6, 60, 61, 62}};
        try (LlamaModel a = LlamaModel.create(gqa, Device.cpu(), 11)) {
            Map<String, Safetensors.Tensor> widened = new LinkedHashMap<>();
            int d = gqa.headDim(), rep = 2;
            for (var e : a.stateDict().entrySet()) {
                String k = e.getKey();
                if (k.endsWith("k_proj.weight") || k.endsWith("v_proj.weight")) {
                    float[] src = e.getValue().data();
                    int in = gqa.hiddenSize();
                    float[] dst = new float[4 * d * in];
                    for (int h = 0; h < 4; h++) System.arraycopy(src, (h / rep) * d * in, dst, h * d * in, d * in);
                    widened.put(k, new Safetensors.Tensor(new long[] {4L * d, in}, dst));
                } else {
                    widened.put(k, e.getValue());
                }
            }
            try (LlamaModel b = LlamaModel.fromTensors(mha, widened, Device.cpu())) {
                float la = a.evalLoss(tokens), lb = b.evalLoss(tokens);
                assertEquals(la, lb, 1e-5);
                assertArrayEquals(a.sample(new int[] {1, 2, 3}, 6, 0, 0), b.sample(new int[] {1, 2, 3}, 6, 0, 0));
            }
        }
    }

    @Test void laterTokensDoNotChangeEarlierPredictions() {
        TorchRuntime.noGradOnThisThread();
        LlamaConfig c = new LlamaConfig(32, 1, 4, 2, 48, 64, 32, 10000.0, 1e-5, true);
        try (LlamaModel m = LlamaModel.create(c, Device.cpu(), 3)) {
            float[] first = logitsAt(m, new int[] {5, 6, 7, 8}, 1);
            float[] changedTail = logitsAt(m, new int[] {5, 6, 40, 41}, 1);
            assertArrayEquals(first, changedTail, 1e-6f);
            assertNotEquals(first[0], logitsAt(m, new int[] {5, 9, 7, 8}, 1)[0], "but the tokens before do matter");
        }
    }

    static float[] logitsAt(LlamaModel m, int[] tokens, int pos) {
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            return m.logits(m.tokens(new int[][] {tokens})).get(new ai.djl.ndarray.index.NDIndex("0, {}", pos)).toFloatArray();
        }
    }
}
