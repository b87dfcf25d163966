package psyche.config;

import org.junit.jupiter.api.Test;
import psyche.coordinator.Progress;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigDiff_DiffTest {
    private static final RunConfig BASE = RunConfigs.parse(TestToml.VALID);

    private static List<Change> diff(String changedToml) {
        return ConfigDiff.diff(BASE, RunConfigs.parse(changedToml));
    }

    @Test void identicalConfigsHaveNoChanges() {
        assertEquals(List.of(), ConfigDiff.diff(BASE, RunConfigs.parse(TestToml.VALID)));
        assertEquals("no changes\n", ConfigDiff.render(List.of()));
    }

    @Test void timingAndBatchChangesNeedAHaltedRun() {
        List<Change> changes = diff(TestToml.set(TestToml.set("warmup_time", "20"), "global_batch_size_end", "16"));
        assertEquals(List.of(new Change("config.warmup_time", "10", "20", Safety.NEEDS_HALTED),
                new Change("config.global_batch_size_end", "8", "16", Safety.NEEDS_HALTED)), changes);
    }

    @Test void lrAndOptimizerChangesNeedAHaltedRun() {
        List<Change> changes = diff(TestToml.set(TestToml.set("base_lr", "2e-3"), "compression_topk", "4"));
        assertEquals(List.of(new Change("model.LLM.lr_schedule.Cosine.base_lr", "0.001", "0.002", Safety.NEEDS_HALTED),
                new Change("model.LLM.optimizer.Distro.compression_topk", "8", "4", Safety.NEEDS_HALTED)), changes);
    }

    @Test void architectureShapeDataAndCheckpointAreUnsafe() {
        List<Change> changes = diff(TestToml.set(TestToml.set(TestToml.set("architecture", "\"HfDeepseek\""),
                "max_seq_len", "2048"), "data_type", "\"Finetuning\"").replace("owner/model", "owner/other")
                .replace("https://example.com/tokens.ds", "https://example.com/other.ds"));
        assertEquals(List.of("model.LLM.architecture", "model.LLM.data_type", "model.LLM.max_seq_len",
                "model.LLM.checkpoint.Hub.repo_id", "model.LLM.data_location.Http.location.SingleUrl"),
                changes.stream().map(Change::keyPath).toList());
        assertTrue(changes.stream().allMatch(c -> c.safety() == Safety.UNSAFE_MID_RUN), ConfigDiff.render(changes));
        assertEquals(Safety.UNSAFE_MID_RUN, ConfigDiff.worst(changes));
    }

    @Test void aVariantChangeIsOneChangeAtTheEnumKey() {
        List<Change> changes = diff(TestToml.withLr("[model.LLM.lr_schedule.Constant]\nbase_lr = 1e-3\nwarmup_init_lr = 0.0\nwarmup_steps = 10"));
        assertEquals(1, changes.size());
        Change c = changes.get(0);
        assertEquals("model.LLM.lr_schedule", c.keyPath());
        assertTrue(c.oldValue().startsWith("{ Cosine = {"), c.oldValue());
        assertTrue(c.newValue().startsWith("{ Constant = {"), c.newValue());
        assertEquals(Safety.NEEDS_HALTED, c.safety());
    }

    @Test void hubToP2pOfTheSameRepoIsNotUnsafe() {
        List<Change> changes = diff(TestToml.withCheckpoint("[model.LLM.checkpoint.P2P]\nrepo_id = \"owner/model\""));
        assertEquals(List.of("model.LLM.checkpoint"), changes.stream().map(Change::keyPath).toList());
        assertEquals(Safety.NEEDS_HALTED, changes.get(0).safety());
        assertTrue(changes.get(0).reason().contains("switches Hub/P2P"));
        List<Change> other = diff(TestToml.withCheckpoint("[model.LLM.checkpoint.Gcs]\nbucket = \"b\""));
        assertEquals(Safety.UNSAFE_MID_RUN, other.get(0).safety());
    }

    @Test void metadataIsSafeAnytime() {
        List<Change> changes = ConfigDiff.diff(new RunMetadata("a", "d", 1, 2), new RunMetadata("b", "d", 1, 3));
        assertEquals(List.of(new Change("metadata.name", "\"a\"", "\"b\"", Safety.SAFE_ANYTIME),
                new Change("metadata.vocab_size", "2", "3", Safety.SAFE_ANYTIME)), changes);
        assertEquals(Safety.SAFE_ANYTIME, ConfigDiff.worst(changes));
    }

    @Test void progressNeedsAHaltedRun() {
        List<Change> changes = ConfigDiff.diff(new Progress(1, 10, 100), new Progress(1, 5, 50));
        assertEquals(2, changes.size());
        assertTrue(changes.stream().allMatch(c -> c.safety() == Safety.NEEDS_HALTED));
    }

    @Test void renderingListsCountsAndEveryChange() {
        List<Change> changes = diff(TestToml.set(TestToml.set("warmup_time", "20"), "max_seq_len", "256"));
        String text = ConfigDiff.render(changes);
        assertTrue(text.startsWith("2 changes: 0 safe any time, 1 need a halted (paused) run, 1 unsafe mid-run\n"), text);
        assertTrue(text.contains("halted config.warmup_time: 10 -> 20"), text);
        assertTrue(text.contains("UNSAFE model.LLM.max_seq_len: 128 -> 256"), text);
    }
}
