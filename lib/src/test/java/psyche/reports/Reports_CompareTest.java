package psyche.reports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.history.HistoryStore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Reports_CompareTest {
    /** A report's provenance whose only metrics come from the training history in {@code store}. */
    static Path report(Path dir, String name, Path store) {
        Provenance p = new Provenance("2026-01-01T00:00:00Z", name + ".ipynb", "ok", "0.1.0", "abc", false, null, null,
                null, "jvm", "os", "cpu", "cpu", null, null, null, List.of(store.toString()));
        Path file = dir.resolve(name + ".provenance.json");
        p.write(file);
        return file;
    }

    /** Two clients' losses per step (their mean is the step's loss), the step's result bytes, and a held-out loss. */
    static Path trainingHistory(Path file, double[][] clientLosses, long[] resultBytes, double heldOut) {
        try (HistoryStore h = HistoryStore.open(file)) {
            Instant at = Instant.parse("2026-01-01T00:00:00Z");
            for (int s = 0; s < clientLosses.length; s++) {
                List<HistoryStore.TrainingStep> rows = List.of(
                        new HistoryStore.TrainingStep(s + 1, 0, clientLosses[s][0], 1e-4, 256, 800, 1.2, resultBytes[s]),
                        new HistoryStore.TrainingStep(s + 1, 1, clientLosses[s][1], 1e-4, 256, 810, 1.2, resultBytes[s]));
                h.recordTrainingStep("tiny-inline", "session-1", rows, at.plusSeconds(s));
            }
            h.recordEvaluation("tiny-inline", "session-1", clientLosses.length, "valid", heldOut, 1024, null, at.plusSeconds(60));
        }
        return file;
    }

    @Test
    void compare_overlaysBothRunsTrainingLossHeldOutLossAndBytesPerStep_fromTheirHistoryStores(@TempDir Path dir) {
        Path a = report(dir, "a", trainingHistory(dir.resolve("a.db"),
                new double[][] {{6.90, 6.92}, {6.80, 6.84}, {6.70, 6.72}}, new long[] {560, 570, 565}, 6.75));
        Path b = report(dir, "b", trainingHistory(dir.resolve("b.db"),
                new double[][] {{6.95, 6.93}, {6.91, 6.89}, {6.88, 6.86}}, new long[] {2400, 2410, 2390}, 6.90));

        RunMetrics ma = RunMetrics.of("a", Reports.load(a));
        assertArrayEquals(new double[] {1, 6.91}, ma.series().get("training loss by step").get(0), 1e-9);
        assertArrayEquals(new double[] {3, 6.71}, ma.series().get("training loss by step").get(2), 1e-9);
        assertArrayEquals(new double[] {2, 570}, ma.series().get("result bytes per step").get(1), 1e-9);
        assertArrayEquals(new double[] {3, 6.75}, ma.series().get("held-out loss (valid) by step").get(0), 1e-9);
        assertEquals(6.71, ma.metrics().get("final training loss"), 1e-9);

        var html = Reports.compare(List.of(a, b));
        String text = html.text();
        assertTrue(text.contains("training loss by step: a (3 points), b (3 points)"), text);
        assertTrue(text.contains("held-out loss (valid) by step: a (1 points), b (1 points)"), text);
        assertTrue(text.contains("result bytes per step: a (3 points), b (3 points)"), text);
        assertTrue(text.contains("final training loss: 6.71 6.87"), text);
        assertTrue(text.contains("final held-out loss (valid): 6.75 6.9"), text);
        for (String chart : List.of("training loss by step", "held-out loss (valid) by step", "result bytes per step")) {
            assertTrue(html.html().contains("<img alt=\"" + chart + "\" src=\"data:image/png;base64,"), chart);
        }
    }

    @Test
    void compare_namesARunWithoutTrainingHistory_asMissingFromTheOverlay(@TempDir Path dir) {
        Path a = report(dir, "a", trainingHistory(dir.resolve("a.db"), new double[][] {{6.9, 6.9}}, new long[] {560}, 6.9));
        Path empty;
        try (HistoryStore h = HistoryStore.open(dir.resolve("empty.db"))) {
            empty = dir.resolve("empty.db");
        }
        Path b = report(dir, "b", empty);
        String text = Reports.compare(List.of(a, b)).text();
        assertTrue(text.contains("training loss by step: a (1 points), b (none)"), text);
    }
}
