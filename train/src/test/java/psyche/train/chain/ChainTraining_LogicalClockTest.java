package psyche.train.chain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.Psyche;
import psyche.Run;
import psyche.reports.ProvenanceLog;
import psyche.sim.LogicalClock;
import psyche.train.StepReport;
import psyche.train.TrainingListener;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session on a reproducible local chain's logical clock (as notebooks/train-inline.ipynb runs it) gives the same
 * losses and checkpoint bytes however slowly the machine trains: here one run stalls longer than tiny.toml's
 * max_round_train_time (10 s) in one step, which on the wall clock lets the round end without that client's result.
 */
class ChainTraining_LogicalClockTest {
    static final Path DATA = Path.of("../datasets/tiny/train.bin");
    static final Path CONFIG = Path.of("../notebooks/configs/tiny.toml");
    static final long SEED = 42;
    static final int STEPS = 4;

    record Outcome(List<Double> losses, String checkpointSha256, long chainMillis) {}

    static Outcome train(Path dir, long stallAtStep, Duration stall) throws Exception {
        LogicalClock clock = new LogicalClock();
        try (Psyche local = Psyche.localReproducible(dir.resolve("ledger"), dir.resolve("owner.json"), SEED, clock)) {
            local.authorize(null);
            Run run = local.createRun("logical").updateConfig(CONFIG).resume();
            List<StepReport> steps = new CopyOnWriteArrayList<>();
            TrainingListener slow = new TrainingListener() {
                @Override public void onStep(StepReport r) {
                    steps.add(r);
                    if (r.step() == stallAtStep) {
                        try {
                            Thread.sleep(stall.toMillis()); // a machine this slow once: longer than a round may last
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            long start = clock.millis();
            try (ChainTraining t = ChainTraining.builder().setRun(run).optClients(2).optDevice("cpu")
                    .optDataset(DATA).optCheckpointDir(dir.resolve("checkpoints")).optSteps(STEPS).optSeed(SEED)
                    .optReproducibleKeys(true).optTimeLimit(Duration.ofMinutes(4)).optListener(slow).start()) {
                assertTrue(t.await(Duration.ofMinutes(5)), t::toString);
                Path cp = t.lastCheckpoint().orElseThrow();
                return new Outcome(steps.stream().map(StepReport::meanLoss).toList(),
                        ProvenanceLog.sha256(cp.resolve("model.safetensors")), clock.millis() - start);
            }
        }
    }

    @Test void aStallLongerThanARoundChangesNothingOnTheLogicalClock(@TempDir Path tmp) throws Exception {
        Outcome quick = train(tmp.resolve("quick"), -1, Duration.ZERO);
        Outcome stalled = train(tmp.resolve("stalled"), 2, Duration.ofSeconds(11));
        System.out.println("quick " + quick + "\nstalled " + stalled);
        assertEquals(STEPS, quick.losses().size(), quick::toString);
        assertEquals(quick.losses(), stalled.losses());
        assertEquals(quick.checkpointSha256(), stalled.checkpointSha256());
        // chain time is steps taken times the step interval, whatever the wall clock did meanwhile
        assertEquals(quick.chainMillis(), stalled.chainMillis());
    }
}
