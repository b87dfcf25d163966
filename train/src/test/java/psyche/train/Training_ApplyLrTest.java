package psyche.train;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import psyche.config.LrSchedule;
import psyche.config.RunConfig;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A round's consensus results go in with the next step's LR, as Psyche's {@code trainer.apply_distro_results(state.step)},
 * in-process sessions and chain sessions alike ({@link Training#applyLr}).
 */
class Training_ApplyLrTest {
    @Test void ruleTakesTheNextStepsLrAndColdStartFactor() {
        // linear warmup 0 -> 1e-3 over 10 steps: every step has its own LR
        LrSchedule warmup = new LrSchedule.Constant(1e-3, 0.0, 10);
        assertEquals(warmup.lr(4), Training.applyLr(warmup, 3, Optional.empty()), 0.0);
        assertTrue(warmup.lr(4) > warmup.lr(3), "the schedule must tell steps 3 and 4 apart for this test to mean anything");
        // cold start [5, 9]: step 5's results go in at step 6, scaled by (6 - 5) / (9 - 5)
        Optional<Training.ColdStartWarmup> coldStart = Training.ColdStartWarmup.of(5, 4);
        assertEquals(warmup.lr(6) * 0.25, Training.applyLr(warmup, 5, coldStart), 1e-15);
    }

    /**
     * One in-process DisTrO step from fresh weights: the look-ahead of step 1 uses lr(0) = 0 and there is no weight
     * decay, so every weight moves by exactly the applied LR times a sign: the largest move is lr(2), not lr(1).
     */
    @Test void inProcessSessionAppliesStepOneWithStepTwosLr() {
        RunConfig cfg = TinyRun.config(Path.of("../datasets/tiny/train.bin"), 20);
        LrSchedule schedule = cfg.model().lrSchedule();
        double lr1 = schedule.lr(1), lr2 = schedule.lr(2);
        assertEquals(0.0, schedule.lr(0), 0.0, "the warmup starts at 0, so step 1 has no look-ahead");
        assertTrue(Math.abs(lr2 - lr1) > 0.25 * lr2, "steps 1 and 2 need different LRs: " + lr1 + " vs " + lr2);
        TorchRuntime.noGradOnThisThread();
        try (Training t = Training.builder().setConfig(cfg).optClients(1).optDevice("cpu").optSteps(1).optSeed(7).build()) {
            t.run();
            assertTrue(t.failure().isEmpty(), () -> "session failed: " + t.failure().get());
            Map<String, Safetensors.Tensor> after = t.weights();
            try (LlamaModel before = LlamaModel.create(t.modelConfig(), Device.cpu(), 7)) {
                double largest = 0;
                long moved = 0, total = 0;
                for (var e : before.stateDict().entrySet()) {
                    float[] x0 = e.getValue().data(), x1 = after.get(e.getKey()).data();
                    for (int i = 0; i < x0.length; i++) {
                        double move = Math.abs((double) x1[i] - x0[i]);
                        largest = Math.max(largest, move);
                        if (move > 0) moved++;
                        total++;
                    }
                }
                assertTrue(moved > total / 2, "most weights move in a DisTrO step: " + moved + " of " + total);
                assertEquals(lr2, largest, lr2 * 1e-3, "largest move " + largest + " (lr(1) = " + lr1 + ", lr(2) = " + lr2 + ")");
            }
        }
    }
}
