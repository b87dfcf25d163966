package psyche.train.distro;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import psyche.config.Optimizer;
import psyche.train.LlamaConfig;
import psyche.train.LlamaModel;
import psyche.train.TorchRuntime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The target: one 1-bit result of the tiny model at compression_chunk 64, top-k 8 is at least 480x smaller
 * than its parameters in dense bf16. A size computation: the bound holds for any indices, so it is safe to assert.
 */
class DistroResult_CompressionTest {
    static final LlamaConfig TINY = LlamaConfig.tiny(1024);

    static DistroLayout tinyLayout() {
        List<long[]> shapes = new ArrayList<>();
        for (String name : LlamaModel.parameterNames(TINY)) shapes.add(LlamaModel.parameterShape(TINY, name));
        return DistroLayout.forParameters(shapes, 64, 8, true);
    }

    @Test void anyTinyModelResultIsAtLeast480xSmallerThanDenseBf16() {
        DistroLayout layout = tinyLayout();
        assertEquals(2 * TINY.parameterCount(), layout.denseBf16Bytes(), "dense bf16: 2 bytes per parameter");
        long worst = layout.maxResultBytes();
        double ratio = (double) layout.denseBf16Bytes() / worst;
        assertTrue(ratio >= 480, "worst case " + worst + " B of " + layout.denseBf16Bytes() + " B dense = " + ratio + "x");
    }

    @Test void aTrainedTinyModelResultMeetsTheBound() {
        Optimizer.Distro cfg = new Optimizer.Distro(Optional.empty(), Optional.empty(), 0.999f, 8, 64, true);
        TorchRuntime.noGradOnThisThread();
        try (LlamaModel m = LlamaModel.create(TINY, Device.cpu(), 2); Distro d = new Distro(cfg, m.parameters(), m.manager())) {
            DistroLayout layout = DistroLayout.forParameters(m.parameters(), cfg);
            assertEquals(tinyLayout(), layout, "the layout from parameter shapes is the model's");
            Random r = new Random(5);
            int[][] samples = new int[4][33];
            for (int[] row : samples) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(1024);
            m.zeroGradients();
            m.forwardBackward(samples);
            DistroResult res = new DistroResult(7, 1, 0, 3, d.generate(0, 1e-3));
            byte[] wire = res.encode();
            assertEquals(layout, res.layout());
            assertTrue(wire.length <= layout.maxResultBytes(), wire.length + " B");
            assertTrue((double) res.denseBf16Bytes() / wire.length >= 480, wire.length + " B");
            assertEquals(res, DistroResult.decode(wire, layout));
        }
    }
}
