package psyche.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Psyche's cold-start LR warmup ({@code Trainer::get_lr}) and when an in-process session applies it. */
class Training_ColdStartTest {
    static final Path TRAIN = Path.of("../datasets/tiny/train.bin");
    static final LlamaConfig SMALL = new LlamaConfig(32, 1, 4, 2, 64, 1024, 64, 10000.0, 1e-5, true);
    @TempDir Path dir;

    @Test void factorRisesLinearlyFromZeroAtTheStartToOneAtTheEndAndIsOneOutside() {
        Training.ColdStartWarmup w = new Training.ColdStartWarmup(10, 14);
        assertEquals(1.0, w.lrFactor(9));
        assertEquals(0.0, w.lrFactor(10));
        assertEquals(0.25, w.lrFactor(11));
        assertEquals(0.5, w.lrFactor(12));
        assertEquals(0.75, w.lrFactor(13));
        assertEquals(1.0, w.lrFactor(14));
        assertEquals(1.0, w.lrFactor(15));
        Training.ColdStartWarmup one = Training.ColdStartWarmup.of(7, 1).orElseThrow();
        assertEquals(new Training.ColdStartWarmup(7, 8), one);
        assertEquals(0.0, one.lrFactor(7));
        assertEquals(1.0, one.lrFactor(8));
    }

    @Test void zeroWarmupStepsMeanNoColdStart() {
        assertEquals(Optional.empty(), Training.ColdStartWarmup.of(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new Training.ColdStartWarmup(10, 10));
    }

    @Test void lrIsTheScheduleTimesTheFactor() {
        LrSchedule constant = new LrSchedule.Constant(1e-3, 0.0, 0);
        Optional<Training.ColdStartWarmup> w = Training.ColdStartWarmup.of(4, 2);
        assertEquals(0.0, Training.lr(constant, 4, w));
        assertEquals(constant.lr(5) * 0.5, Training.lr(constant, 5, w));
        assertEquals(constant.lr(6), Training.lr(constant, 6, w));
        assertEquals(constant.lr(3), Training.lr(constant, 3, w), "before the epoch start the schedule applies as is");
        assertEquals(constant.lr(4), Training.lr(constant, 4, Optional.empty()));
    }

    static RunConfig config(long steps, long coldStartWarmupSteps) {
        RunConfig c = TinyRun.config(TRAIN, steps, new Optimizer.Distro(Optional.of(1.0f), Optional.of(0.01f), 0.999f, 8, 64, true),
                new LrSchedule.Constant(4e-3, 0.0, 0), 4, 32);
        LlmModel m = c.model();
        return new RunConfig(c.config(), new LlmModel(m.maxSeqLen(), coldStartWarmupSteps, m.architecture(), m.checkpoint(),
                m.dataType(), m.dataLocation(), m.lrSchedule(), m.optimizer()));
    }

    static List<StepReport> train(Training.Builder b) {
        List<StepReport> reports = new CopyOnWriteArrayList<>();
        try (Training t = b.optClients(2).optDevice("cpu").optRunId("cold").optListener(reports::add).build()) {
            t.run();
        }
        return reports;
    }

    @Test void aResumedSessionWarmsTheLrUpFromItsFirstStepAndAFreshOneDoesNot() {
        // fresh weights: like Psyche's first epoch, not a cold start (the schedule's own warmup is the warmup)
        List<StepReport> fresh = train(Training.builder().setConfig(config(2, 2)).optModel(SMALL).optCheckpointDir(dir));
        assertEquals(List.of(4e-3, 4e-3), fresh.stream().map(StepReport::lr).toList());
        Path cp = dir.resolve("cold-step2");

        // resumed from step 2 with cold_start_warmup_steps = 2: steps 3, 4, 5 at factors 0, 1/2, 1
        List<StepReport> resumed = train(Training.resumeFrom(cp).setConfig(config(6, 2)));
        assertEquals(List.of(3L, 4L, 5L, 6L), resumed.stream().map(StepReport::step).toList());
        assertEquals(List.of(0.0, 2e-3, 4e-3, 4e-3), resumed.stream().map(StepReport::lr).toList());

        // without cold_start_warmup_steps a resume trains at the schedule's LR at once
        List<StepReport> plain = train(Training.resumeFrom(cp).setConfig(config(3, 0)));
        assertEquals(List.of(4e-3), plain.stream().map(StepReport::lr).toList());
    }
}
