package psyche.train;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import psyche.display.Display;
import psyche.display.DisplaySink;
import psyche.display.Html;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveTrainingView_UpdateTest {
    final DisplaySink previous = Display.sink();

    @AfterEach void restore() { Display.install(previous); }

    static StepReport report(long step, float a, float b) {
        return new StepReport(step, 10, 1e-3, List.of(a, b), 512, 1000.0 * step, 0.5, 0.3, 0.1, 0.1, 2_000, 600_000);
    }

    @Test
    void rewritesOneOutputAndPlotsEveryClientsLoss() {
        List<String> calls = new ArrayList<>();
        List<Object> shown = new ArrayList<>();
        Display.install(new DisplaySink() {
            @Override public String display(Object v) { calls.add("show"); shown.add(v); return "id1"; }
            @Override public void update(String id, Object v) { calls.add("update " + id); shown.add(v); }
        });
        LiveTrainingView view = new LiveTrainingView("tiny", 0);
        view.onStep(report(1, 6.9f, 7.1f));
        view.onStep(report(2, 6.5f, 6.7f));
        view.onCheckpoint(2, Path.of("/tmp/ck/run-step2"));
        view.onEnd(2, null);
        assertEquals(List.of("show", "update id1", "update id1"), calls);
        Html last = (Html) shown.get(shown.size() - 1);
        assertTrue(last.text().contains("finished at step 2"), last.text());
        assertTrue(last.text().contains("run-step2"), last.text());
        assertTrue(last.text().contains("300× smaller"), last.text());
        var loss = view.lossChart();
        assertArrayEquals(new double[]{7.0, 6.6}, loss.getSeriesMap().get("mean").getYData(), 1e-6);
        assertArrayEquals(new double[]{6.9, 6.5}, loss.getSeriesMap().get("client 0").getYData(), 1e-6);
        assertEquals("loss (cross-entropy, nats)", loss.getYAxisTitle());
    }

    @Test
    void throttlesRedrawsButAlwaysDrawsTheEnd() {
        List<String> calls = new ArrayList<>();
        Display.install(new DisplaySink() {
            @Override public String display(Object v) { calls.add("show"); return "id"; }
            @Override public void update(String id, Object v) { calls.add("update"); }
        });
        LiveTrainingView view = new LiveTrainingView("tiny", 60_000);
        for (int i = 1; i <= 5; i++) view.onStep(report(i, 6f, 6f));
        view.onEnd(5, new IllegalStateException("NaN loss"));
        assertEquals(List.of("show", "update"), calls);
        assertTrue(view.view().text().contains("stopped at step 5: NaN loss"));
    }
}
