package psyche.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;
import psyche.coordinator.BatchId;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A divergence on a user's settings stops the session with the step, the offending tensor, the LR and a checkpoint of
 * the last finite state, from which a session with a lower LR continues.
 */
class Training_DivergenceTest {
    static final Path TRAIN = Path.of("../datasets/tiny/train.bin");
    static final LlamaConfig SMALL = new LlamaConfig(32, 1, 4, 2, 64, 1024, 64, 10000.0, 1e-5, true);
    @TempDir Path dir;

    static RunConfig config(LrSchedule lr, long steps) {
        return TinyRun.config(TRAIN, steps, new Optimizer.Distro(Optional.empty(), Optional.empty(), 0.999f, 8, 64, true),
                lr, 4, 32);
    }

    /** The root cause of the README's 10-step run reaching NaN: 10 warmup steps in a 10-step cosine schedule. */
    @Test void tinyRunScheduleIsFiniteForShortRuns() {
        for (long total = 1; total <= 200; total++) {
            LrSchedule s = TinyRun.config(TRAIN, total).model().lrSchedule();
            for (long step = 0; step <= total + 1; step++) {
                assertTrue(Double.isFinite(s.lr(step)), "total " + total + " step " + step + ": " + s.lr(step));
            }
        }
        // the degenerate schedule itself is NaN in Psyche's formula too: that is what the guard below reports
        assertTrue(Double.isNaN(new LrSchedule.Cosine(4e-3, 0, 4e-4, 10, 10).lr(10)));
    }

    @Test void degenerateScheduleStopsBeforeAnyWeightMovesAndKeepsTheLastFiniteState() throws Exception {
        List<Path> written = new ArrayList<>();
        // warmup 3 = total 3: lr(3) = 0/0; step 2's results would go in with lr(3)
        RunConfig bad = config(new LrSchedule.Cosine(4e-3, 0.0, 4e-4, 3, 3), 3);
        try (Training t = Training.builder().setConfig(bad).optClients(2).optModel(SMALL).optDevice("cpu")
                .optRunId("nan").optCheckpointDir(dir).optListener(new TrainingListener() {
                    public void onStep(StepReport r) {}

                    public void onCheckpoint(long step, Path d) { written.add(d); }
                }).build()) {
            TrainingException e = assertThrows(TrainingException.class, t::run);
            String m = e.getMessage();
            assertTrue(m.contains("diverged at step 2") && m.contains("the learning rate is not finite")
                    && m.contains("NaN") && m.contains("total_steps > warmup_steps"), m);
            Path kept = dir.resolve("nan-step1");
            assertTrue(m.contains("fix the schedule, then continue from it: bin/run-manager train --resume " + kept), m);
            assertEquals(List.of(kept), written);
            assertEquals(Optional.of(kept), t.lastCheckpoint());
            try (LlamaModel good = LlamaModel.load(kept, ai.djl.Device.cpu())) {
                Map<String, Safetensors.Tensor> w = good.stateDict();
                assertEquals(t.weights().keySet(), w.keySet());
                // f32: exactly the weights after step 1 (the session's model never moved after that)
                for (var entry : w.entrySet()) {
                    assertTrue(java.util.Arrays.equals(t.weights().get(entry.getKey()).data(), entry.getValue().data()), entry.getKey());
                }
                assertTrue(Float.isFinite(good.evalLoss(t.data().samples(new BatchId(0, 3)))));
            }
        }
        // the fixed schedule, at half its LR, continues from the kept state
        List<StepReport> steps = new ArrayList<>();
        RunConfig fixed = config(new LrSchedule.Cosine(4e-3, 0.0, 4e-4, 1, 3), 3);
        try (Training t = Training.resumeFrom(dir.resolve("nan-step1")).setConfig(fixed).optClients(2).optDevice("cpu")
                .optRunId("nan").optCheckpointDir(dir).optLrScale(0.5).optListener(steps::add).build()) {
            t.run();
            assertEquals(List.of(2L, 3L), steps.stream().map(StepReport::step).toList());
            assertEquals(0.5 * fixed.model().lrSchedule().lr(2), steps.get(0).lr(), 1e-15);
            steps.forEach(r -> assertTrue(Double.isFinite(r.meanLoss()), r.toString()));
            assertEquals(Optional.of(dir.resolve("nan-step3")), t.lastCheckpoint());
        }
    }

    @Test void explodingWeightsNameTheStepTensorAndLr() throws Exception {
        // an LR of 1e30 is finite, but sign steps of 1e30 overflow the weights or the forward pass within a few steps
        RunConfig exploding = config(new LrSchedule.Linear(4e-3, 4e-3, 1e30, 2, 3), 8);
        try (Training t = Training.builder().setConfig(exploding).optClients(2).optModel(SMALL).optDevice("cpu")
                .optRunId("boom").optCheckpointDir(dir).build()) {
            TrainingException e = assertThrows(TrainingException.class, t::run);
            String m = e.getMessage();
            assertTrue(m.matches("(?s)training diverged at step [3-8] on client [01]: the (loss|weights) is not finite.*"), m);
            assertTrue(m.contains("first non-finite tensor") && m.contains("model.embed_tokens.weight"), m);
            assertTrue(m.contains("lr 1.000e+30"), m);
            Path kept = t.lastCheckpoint().orElseThrow();
            assertTrue(m.contains("--resume " + kept + " --lr-scale 0.5"), m);
            try (LlamaModel k = LlamaModel.load(kept, ai.djl.Device.cpu())) {
                for (var w : k.stateDict().entrySet()) {
                    for (float f : w.getValue().data()) assertTrue(Float.isFinite(f), w.getKey());
                }
            }
        }
    }
}
