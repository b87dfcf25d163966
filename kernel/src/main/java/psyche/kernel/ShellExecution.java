package psyche.kernel;

import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import psyche.display.Display;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * {@code bin/psyche-shell}'s execution engine ({@code jshell --execution psyche}): JShell's in-process engine
 * whose echo of a value is the notebook's text rendering ({@link Display#text}) for charts, tables and our handles,
 * so {@code chart ==>} names the chart and the PNG it was saved to instead of {@code XYChart@77602954}.
 */
public final class ShellExecution implements ExecutionControlProvider {
    @Override
    public String name() {
        return "psyche";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
        return new LocalExecutionControl() {
            @Override
            protected String invoke(Method doit) throws Exception {
                Object value = doit.invoke(null);
                if (value instanceof org.knowm.xchart.internal.series.Series s) return "series \"" + s.getName() + "\"";
                return rendered(value) ? Display.text(value) : valueString(value);
            }
        };
    }

    /** Values whose echo is the text rendering (everything else keeps JShell's own, e.g. quoted strings). */
    static boolean rendered(Object value) {
        return value instanceof org.knowm.xchart.internal.chartpart.Chart<?, ?>
                || value instanceof tech.tablesaw.api.Table
                || value instanceof psyche.display.Viewable
                || value instanceof psyche.display.Html;
    }
}
