package psyche.display;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where library code sends rich output. The Jupyter kernel installs its sink at start; without one, values are
 * printed as text (an update prints the new text, so a terminal shows a log of states).
 */
public final class Display {
    private static volatile DisplaySink sink = new TextSink(System.out);

    private Display() {}

    public static void install(DisplaySink newSink) { sink = Objects.requireNonNull(newSink, "sink"); }

    public static DisplaySink sink() { return sink; }

    public static String show(Object value) { return sink.display(value); }

    public static void update(String id, Object value) { sink.update(id, value); }

    /** Plain-text sink: prints {@link #text} of the value; updates print again (a terminal shows a log of states). */
    public static final class TextSink implements DisplaySink {
        private final PrintStream out;
        private final AtomicLong ids = new AtomicLong();

        public TextSink(PrintStream out) { this.out = out; }

        @Override public String display(Object value) {
            String id = "text-" + ids.incrementAndGet();
            out.println(text(value));
            return id;
        }

        @Override public void update(String id, Object value) {
            out.println(text(value));
        }
    }

    /**
     * The plain-text rendering of a value, the same as a notebook's {@code text/plain}: rich views as their text,
     * tables with people's numbers (a one-row table on its side), charts saved as PNG with a line naming the file.
     */
    public static String text(Object value) {
        if (value == null) return "null";
        if (value instanceof Html h) return h.text();
        if (value instanceof Viewable v) return v.view().text();
        if (value instanceof tech.tablesaw.api.Table t) return tableText(t, 20);
        if (value instanceof org.knowm.xchart.internal.chartpart.Chart<?, ?> c) return chartText(c, true);
        return String.valueOf(value);
    }

    /** A table as text: at most {@code maxRows} rows, numbers by the policy; a wide one-row table shown vertically. */
    public static String tableText(tech.tablesaw.api.Table t, int maxRows) {
        if (t.rowCount() == 1 && t.columnCount() > VERTICAL_ABOVE_COLUMNS) return psyche.frames.Frames.vertical(t).printAll();
        int shown = Math.min(t.rowCount(), Math.max(0, maxRows));
        String body = psyche.frames.Frames.forDisplay(t, shown).printAll();
        return shown < t.rowCount() ? body + "\n… " + Numbers.count(t.rowCount() - shown) + " more rows (" + Numbers.count(t.rowCount()) + " in all)" : body;
    }

    /** One-row tables with more columns than this are shown as field/value rows. */
    public static final int VERTICAL_ABOVE_COLUMNS = 6;

    /**
     * A chart as one line: its title and series; with {@code save}, the chart is also written as a PNG under the
     * temporary directory and the line names the file (what JShell shows instead of {@code XYChart@77602954}).
     */
    public static String chartText(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, boolean save) {
        String line = "chart \"" + chart.getTitle() + "\" (" + chart.getWidth() + "×" + chart.getHeight() + ", series: "
                + String.join(", ", chart.getSeriesMap().keySet()) + ")";
        if (!save) return line;
        try {
            java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "psyche-charts");
            java.nio.file.Files.createDirectories(dir);
            String slug = chart.getTitle().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "").toLowerCase(java.util.Locale.ROOT);
            java.nio.file.Path file = dir.resolve((slug.isEmpty() ? "chart" : slug.substring(0, Math.min(40, slug.length())))
                    + "-" + CHARTS.incrementAndGet() + ".png");
            psyche.charts.Charts.save(chart, file);
            return line + " saved to " + file;
        } catch (java.io.IOException | RuntimeException e) {
            return line + " (not saved: " + e.getMessage() + ")";
        }
    }

    private static final AtomicLong CHARTS = new AtomicLong();
}
