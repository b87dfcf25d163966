package psyche.config;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A notebook changes one config value in one call: each with* changes its field and nothing else. */
class RunConfig_WithTest {
    static final CoordinatorConfig K = new CoordinatorConfig(30, 15, 20, 5, 0, 60, 100, 2, 1, 1, 8, 16, 0, 3);
    static final LlmModel M = new LlmModel(512, 0, Architecture.HfLlama, new Checkpoint.Ephemeral(), DataType.Pretraining,
            new DataLocation.Dummy(), new LrSchedule.Constant(4e-4, 0, 10),
            new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 64, 8, false));

    @Test
    void eachWitherChangesItsFieldOnly() {
        CoordinatorConfig k = K.withTotalSteps(400).withEpochTime(90);
        assertEquals(new CoordinatorConfig(30, 15, 20, 5, 0, 90, 400, 2, 1, 1, 8, 16, 0, 3), k);
        assertEquals(K, K.withWarmupTime(K.warmupTime()), "same value, equal record");
        assertEquals(new CoordinatorConfig(30, 15, 20, 5, 0, 60, 100, 2, 1, 1, 8, 16, 0, 7), K.withWaitingForMembersExtraTime(7));
    }

    @Test
    void runConfigChangesATableInOneCall() {
        RunConfig run = new RunConfig(K, M);
        RunConfig longer = run.withConfig(c -> c.withTotalSteps(400)).withModel(m -> m.withMaxSeqLen(1024));
        assertEquals(400, longer.config().totalSteps());
        assertEquals(1024, longer.model().maxSeqLen());
        assertEquals(K.withTotalSteps(400), longer.config());
        assertEquals(M.withMaxSeqLen(1024), longer.model());
    }

    @Test
    void optionalFieldsTakePlainValues() {
        Optimizer.Distro d = (Optimizer.Distro) M.optimizer();
        assertEquals(Optional.of(0.1f), d.withWeightDecay(0.1f).weightDecay());
        assertEquals(Optional.of(2.0f), d.withClipGradNorm(2.0f).clipGradNorm());
        assertEquals(d.compressionTopk(), d.withWeightDecay(0.1f).compressionTopk());
    }
}
