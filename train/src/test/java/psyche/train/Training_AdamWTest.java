package psyche.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.Test;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;
import psyche.coordinator.BatchId;
import psyche.train.data.TokenDataProvider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One client with AdamW against a plain training loop: same model, same batches, AdamW written out over double[]. */
class Training_AdamWTest {
    static final Path TRAIN = Path.of("../datasets/tiny/train.bin");

    @Test void sessionMatchesPlainLoopStepForStep() {
        int steps = 4, batch = 4, seqLen = 32;
        LlamaConfig small = new LlamaConfig(32, 1, 4, 2, 64, 1024, 64, 10000.0, 1e-5, false);
        Optimizer.AdamW adamw = new Optimizer.AdamW(0.9f, 0.95f, 0.1f, 1e-8f, Optional.empty());
        LrSchedule lr = new LrSchedule.Constant(3e-3, 1e-3, 2);
        RunConfig cfg = TinyRun.config(TRAIN, steps, adamw, lr, batch, seqLen);

        List<Float> sessionLosses = new ArrayList<>();
        Map<String, float[]> sessionWeights = new java.util.LinkedHashMap<>();
        try (Training t = Training.builder().setConfig(cfg).optModel(small).optDevice("cpu").optSeed(5)
                .optListener(r -> sessionLosses.add(r.clientLosses().get(0))).build()) {
            t.run();
            assertEquals(steps, t.history().size());
            t.weights().forEach((k, v) -> sessionWeights.put(k, v.data()));
        }
        // plain loop
        TorchRuntime.noGradOnThisThread();
        List<Float> plainLosses = new ArrayList<>();
        try (LlamaModel m = LlamaModel.create(small, Device.cpu(), 5);
             TokenDataProvider data = TokenDataProvider.open(cfg.model().dataLocation(), seqLen)) {
            List<double[]> mom = new ArrayList<>(), vel = new ArrayList<>();
            for (NDArray p : m.parameters().values()) {
                mom.add(new double[(int) p.size()]);
                vel.add(new double[(int) p.size()]);
            }
            for (int step = 1; step <= steps; step++) {
                int[][] samples = data.samples(new BatchId((long) (step - 1) * batch, (long) step * batch - 1));
                m.zeroGradients();
                plainLosses.add(m.forwardBackward(samples));
                double rate = lr.lr(step);
                int i = 0;
                for (NDArray p : m.parameters().values()) {
                    float[] x = p.toFloatArray();
                    float[] g;
                    try (NDArray grad = p.getGradient()) { g = grad.toFloatArray(); }
                    double[] mm = mom.get(i), vv = vel.get(i);
                    for (int e = 0; e < x.length; e++) {
                        double w = x[e] * (1 - rate * 0.1);
                        mm[e] = 0.9 * mm[e] + 0.1 * g[e];
                        vv[e] = 0.95 * vv[e] + 0.05 * g[e] * g[e];
                        double mh = mm[e] / (1 - Math.pow(0.9, step)), vh = vv[e] / (1 - Math.pow(0.95, step));
                        x[e] = (float) (w - rate * mh / (Math.sqrt(vh) + 1e-8));
                    }
                    p.set(x);
                    i++;
                }
            }
            for (var e : m.parameters().entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), sessionWeights.get(e.getKey()), 2e-5f, e.getKey());
            }
        }
        assertEquals(steps, plainLosses.size());
        for (int s = 0; s < steps; s++) {
            assertEquals(plainLosses.get(s), sessionLosses.get(s), 2e-4, "loss at step " + (s + 1));
        }
        assertTrue(sessionLosses.get(steps - 1) < sessionLosses.get(0), "AdamW lowers the loss: " + sessionLosses);
    }
}
