package psyche.kernel;

import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** psyche-shell's engine: JShell echoes a chart as its text rendering (title, series, saved PNG), never {@code XYChart@…}. */
class ShellExecution_EchoTest {
    @Test
    void chartsEchoAsTheirTextRendering_otherValuesAsJShellDoes() {
        System.setProperty("java.awt.headless", "true");
        try (JShell js = JShell.builder().executionEngine(new ShellExecution(), Map.of()).build()) {
            js.addToClasspath(System.getProperty("java.class.path"));
            js.eval("var c = new org.knowm.xchart.XYChart(300, 200);");
            js.eval("c.setTitle(\"loss\");");
            String series = value(js.eval("c.addSeries(\"client a\", new double[]{1, 2}, new double[]{3, 4});"));
            assertEquals("series \"client a\"", series);
            String chart = value(js.eval("c"));
            assertTrue(chart.startsWith("chart \"loss\" (300×200, series: client a) saved to "), chart);
            assertTrue(chart.endsWith(".png"), chart);
            assertFalse(chart.contains("@"), chart);
            assertEquals("\"text\"", value(js.eval("\"text\"")));
            assertEquals("42", value(js.eval("40 + 2")));
        }
    }

    private static String value(List<SnippetEvent> events) {
        SnippetEvent e = events.get(0);
        assertTrue(e.exception() == null && e.status().isDefined(), () -> e.status() + " " + e.exception());
        return e.value();
    }
}
