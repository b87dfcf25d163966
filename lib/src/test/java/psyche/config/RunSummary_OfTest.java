package psyche.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunSummary_OfTest {
    @Test void tinyConfigNumbers() {
        RunSummary s = RunSummary.of(RunConfigs.read(SampleConfigs.path("tiny.toml")));
        assertEquals(4, s.roundsPerEpoch());          // (60 - 10) / (10 + 2)
        assertEquals(50, s.estimatedEpochs());         // ceil(200 / 4)
        assertEquals(1024, s.tokensPerStepEnd());      // 8 x 128
        assertEquals(0, s.rampSteps());
        assertEquals(200 * 1024, s.totalTokens());
        assertEquals(1.0e-4, s.learningRates().get(1L), 1e-12);
        assertEquals(1.0e-3, s.learningRates().get(10L), 1e-12);
        assertTrue(s.render().contains("global_batch_size_start is never used"), s.render());
    }

    @Test void rampFollowsTheCoordinatorsBatchSizeFormula() {
        // ramp 2 -> 4 over 10 tokens of 1-token sequences: batches 2, round(2+2*0.2)=2, round(2+2*0.4)=3, round(2+2*0.7)=3, then 4
        String toml = TestToml.set(TestToml.set(TestToml.set(TestToml.set(TestToml.VALID, "max_seq_len", "1"),
                "global_batch_size_start", "2"), "global_batch_size_end", "4"), "global_batch_size_warmup_tokens", "10");
        RunSummary s = RunSummary.of(RunConfigs.parse(toml));
        assertEquals(4, s.rampSteps());
        assertEquals(2 + 2 + 3 + 3 + 196 * 4, s.totalTokens());
        assertTrue(s.render().contains("batch: 2 -> 4 sequences"), s.render());
    }
}
