package psyche.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A diff says each reason once, under the changes it explains; a first config lists values without safety classes. */
class ConfigDiff_RenderTest {
    static final List<Change> CHANGES = List.of(
            new Change("model.LLM.max_seq_len", "128", "256", Safety.UNSAFE_MID_RUN),
            new Change("config.warmup_time", "10", "20", Safety.NEEDS_HALTED),
            new Change("model.LLM.architecture", "HfLlama", "HfDeepseek", Safety.UNSAFE_MID_RUN),
            new Change("model.LLM.data_type", "Pretraining", "Finetuning", Safety.UNSAFE_MID_RUN));

    @Test void eachReasonIsSaidOnce() {
        String text = ConfigDiff.render(CHANGES);
        String reason = CHANGES.get(0).reason();
        assertEquals(text.indexOf(reason), text.lastIndexOf(reason), text);
        assertTrue(text.contains("  UNSAFE model.LLM.max_seq_len: 128 -> 256\n  UNSAFE model.LLM.architecture: HfLlama -> HfDeepseek\n"), text);
        assertTrue(text.contains("halted config.warmup_time: 10 -> 20\n      (" + CHANGES.get(1).reason() + ")"), text);
    }

    @Test void aFirstConfigIsNotUnsafe() {
        String text = ConfigDiff.renderInitial(CHANGES);
        assertTrue(text.startsWith("first config of the run: 4 values set"), text);
        assertTrue(text.contains("  model.LLM.max_seq_len = 256\n"), text);
        assertFalse(text.contains("UNSAFE"), text);
    }
}
