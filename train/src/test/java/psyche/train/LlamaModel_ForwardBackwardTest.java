package psyche.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backward pass reads only memory that lives until it ends. DJL frees the direct buffer behind a scalar operand
 * ({@code x.div(2.0)}) at the next garbage collection, although autograd keeps the operand for the backward pass; a
 * collection between the passes, with the freed memory reused, then gives wrong or infinite gradients (the NaN
 * losses seen in long training sessions). Here the JVM collects and native memory is refilled with NaN between
 * forward and backward, and the gradients must be bit for bit those of an undisturbed step.
 */
class LlamaModel_ForwardBackwardTest {
    @Test void gradientsSurviveAGarbageCollectionBetweenThePasses() {
        TorchRuntime.noGradOnThisThread();
        LlamaConfig c = new LlamaConfig(32, 2, 4, 2, 48, 64, 32, 10000.0, 1e-5, true);
        int[][] batch = {{1, 5, 9, 13, 2, 7, 7, 63, 0}, {3, 3, 3, 4, 5, 6, 60, 61, 62}};
        try (LlamaModel m = LlamaModel.create(c, Device.cpu(), 5)) {
            float clean = m.forwardBackward(batch);
            Map<String, float[]> expected = gradients(m);
            for (float[] g : expected.values()) for (float v : g) assertTrue(Float.isFinite(v), "undisturbed gradients are finite");

            for (int attempt = 0; attempt < 3; attempt++) {
                m.zeroGradients();
                List<ByteBuffer> scribbles = new ArrayList<>();
                float disturbed = m.forwardBackward(batch, () -> collectAndScribble(scribbles));
                assertEquals(clean, disturbed, "loss");
                Map<String, float[]> actual = gradients(m);
                for (var e : expected.entrySet()) {
                    assertArrayEquals(e.getValue(), actual.get(e.getKey()), e.getKey() + ": gradient after a collection between the passes");
                }
                scribbles.clear();
            }
        }
    }

    /** Every parameter's gradient by name, copied out of native memory. */
    static Map<String, float[]> gradients(LlamaModel m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : m.parameters().entrySet()) {
            try (NDArray g = e.getValue().getGradient()) {
                out.put(e.getKey(), g.toFloatArray());
            }
        }
        return out;
    }

    /** Collects (so freed direct buffers give their memory back), then fills many small native blocks with NaN. */
    private static void collectAndScribble(List<ByteBuffer> keep) {
        System.gc();
        try {
            Thread.sleep(50); // the cleaner thread frees the collected buffers' memory
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 << (i % 4)).order(ByteOrder.nativeOrder());
            for (int at = 0; at + 4 <= b.capacity(); at += 4) b.putFloat(at, Float.NaN);
            keep.add(b);
        }
    }
}
