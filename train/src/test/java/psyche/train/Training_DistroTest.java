package psyche.train;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import psyche.config.DataLocation;
import psyche.config.RunConfig;
import psyche.coordinator.BatchId;
import psyche.train.data.TokenDataProvider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three DisTrO clients on the bundled corpus: the held-out loss falls clearly below its start in bounded steps. */
class Training_DistroTest {
    static final Path TINY = Path.of("../datasets/tiny");

    @Test void threeClientsLowerTheHeldOutLoss() {
        int steps = 30;
        RunConfig cfg = TinyRun.config(TINY.resolve("train.bin"), steps);
        int[][] held;
        float before;
        try (TokenDataProvider valid = TokenDataProvider.open(new DataLocation.Local(TINY.resolve("valid.bin").toString()), 64)) {
            held = valid.samples(new BatchId(0, 31));
        }
        TorchRuntime.noGradOnThisThread();
        try (LlamaModel init = LlamaModel.create(LlamaConfig.tiny(1024), Device.cpu(), 42)) {
            before = init.evalLoss(held);
        }
        List<StepReport> reports = new ArrayList<>();
        try (Training t = Training.builder().setConfig(cfg).optClients(3).optDevice("cpu").optListener(reports::add).build()) {
            t.run();
            float after = t.evalLoss(held);
            System.out.printf("held-out loss %.4f -> %.4f over %d steps; train loss %s%n", before, after, steps,
                    reports.stream().map(r -> String.format("%.3f", r.meanLoss())).toList());
            assertTrue(before > 6.8 && before < 7.0, "a fresh model is near ln(1024) = 6.93: " + before);
            assertTrue(after < before - 0.5, "held-out loss fell from " + before + " to " + after);
        }
        assertEquals(steps, reports.size());
        StepReport last = reports.get(steps - 1);
        assertEquals(3, last.clientLosses().size());
        assertEquals(16 * 64, last.tokens(), "the global batch of 16 sequences is split among the clients");
        assertTrue(last.resultBytes() > 0 && last.resultBytes() * 100 < last.denseBf16Bytes(),
                "a 1-bit result is over 100x smaller than the dense bf16 parameters: " + last.resultBytes() + " vs "
                        + last.denseBf16Bytes());
    }
}
