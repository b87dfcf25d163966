package psyche.reports;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import psyche.display.Html;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Notebook vocabulary for experiment reports: record a result ({@link #metric}, {@link #point}), mark a timing value
 * ({@link #timing}), and put executed reports side by side ({@link #compare}).
 */
public final class Reports {
    private Reports() {}

    /** Records a result metric for the report's provenance and returns it (so a cell can show it). */
    public static double metric(String name, double value) {
        ProvenanceLog.metric(name, value);
        return value;
    }

    /** Records one point of a series (e.g. "loss" by step) for the report's provenance and overlay charts. */
    public static void point(String series, double x, double y) {
        ProvenanceLog.point(series, x, y);
    }

    /** A value that depends on the machine or the clock, marked so re-run checks leave it out. */
    public static Timing timing(double value, String unit) {
        return new Timing(value, unit);
    }

    /** Numbers for people: integers as integers with separators, others with 4 significant digits. */
    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.format(Locale.ROOT, "%,d", (long) v);
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e6) return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /**
     * One HTML page with the runs side by side: their provenance (rows that differ highlighted), a metrics table and
     * overlay charts of every series. Each run is an executed report: its {@code NAME.provenance.json}, the executed
     * {@code .ipynb} (provenance in its metadata) or the {@code .html} report with the JSON beside it.
     */
    public static Html compare(List<Path> runs) {
        if (runs.size() < 2) throw new ReportException("compare needs at least two runs, got " + runs.size()
                + ": bin/psyche-notebook --compare A.provenance.json B.provenance.json [C ...]");
        List<String> labels = new ArrayList<>();
        List<Provenance> provs = new ArrayList<>();
        for (Path r : runs) {
            provs.add(load(r));
            String name = r.getFileName().toString().replaceAll("\\.(provenance\\.json|ipynb|html)$", "");
            String label = name;
            for (int i = 2; labels.contains(label); i++) label = name + " (" + i + ")";
            labels.add(label);
        }
        List<RunMetrics> metrics = new ArrayList<>();
        for (int i = 0; i < provs.size(); i++) metrics.add(RunMetrics.of(labels.get(i), provs.get(i)));

        StringBuilder html = new StringBuilder("<h2>Runs compared</h2>\n<h3>Provenance</h3>\n<table class=\"psyche-compare\" border=\"1\" style=\"border-collapse:collapse\">\n<tr><th></th>");
        for (String l : labels) html.append("<th>").append(Html.escape(l)).append("</th>");
        html.append("</tr>\n");
        Set<String> keys = new LinkedHashSet<>();
        List<Map<String, String>> rows = new ArrayList<>();
        for (Provenance p : provs) {
            Map<String, String> r = p.rows();
            rows.add(r);
            keys.addAll(r.keySet());
        }
        int differing = 0;
        for (String k : keys) {
            Set<String> values = new LinkedHashSet<>();
            for (Map<String, String> r : rows) values.add(r.getOrDefault(k, "—"));
            boolean differs = values.size() > 1;
            if (differs) differing++;
            html.append("<tr").append(differs ? " class=\"differs\" style=\"background:#fff3b0\"" : "").append("><th style=\"text-align:left\">")
                    .append(Html.escape(k)).append("</th>");
            for (Map<String, String> r : rows) html.append("<td style=\"text-align:left\"><code>").append(Html.escape(r.getOrDefault(k, "—"))).append("</code></td>");
            html.append("</tr>\n");
        }
        html.append("</table>\n<p>").append(differing).append(" of ").append(keys.size()).append(" rows differ (highlighted).</p>\n");

        html.append("<h3>Metrics</h3>\n<table class=\"psyche-metrics\" border=\"1\" style=\"border-collapse:collapse\">\n<tr><th>metric</th>");
        for (String l : labels) html.append("<th>").append(Html.escape(l)).append("</th>");
        html.append("</tr>\n");
        Set<String> names = new LinkedHashSet<>();
        metrics.forEach(m -> names.addAll(m.metrics().keySet()));
        for (String n : names) {
            html.append("<tr><th style=\"text-align:left\">").append(Html.escape(n)).append("</th>");
            for (RunMetrics m : metrics) {
                Double v = m.metrics().get(n);
                html.append("<td style=\"text-align:right\">").append(v == null ? "—" : Html.escape(format(v))).append("</td>");
            }
            html.append("</tr>\n");
        }
        if (names.isEmpty()) html.append("<tr><td colspan=\"").append(labels.size() + 1).append("\">no metrics recorded (Reports.metric in a cell records one)</td></tr>\n");
        html.append("</table>\n");

        Set<String> seriesNames = new LinkedHashSet<>();
        metrics.forEach(m -> seriesNames.addAll(m.series().keySet()));
        if (!seriesNames.isEmpty()) html.append("<h3>Overlay charts</h3>\n");
        List<String> overlays = new ArrayList<>();
        for (String s : seriesNames) {
            XYChart chart = overlay(s, labels, metrics);
            // which runs the chart draws, in words: a run without the series is named as missing, not silently absent
            List<String> drawn = new ArrayList<>();
            for (int i = 0; i < metrics.size(); i++) {
                List<double[]> pts = metrics.get(i).series().get(s);
                drawn.add(labels.get(i) + (pts == null || pts.isEmpty() ? " (none)" : " (" + pts.size() + " points)"));
            }
            overlays.add(s + ": " + String.join(", ", drawn));
            html.append("<div><img alt=\"").append(Html.escape(s)).append("\" src=\"data:image/png;base64,").append(png(chart))
                    .append("\"/><div class=\"psyche-overlay-runs\" style=\"font-size:12px;color:#555\">")
                    .append(Html.escape(String.join(", ", drawn))).append("</div></div>\n");
        }
        StringBuilder text = new StringBuilder("Runs compared: " + String.join(", ", labels) + "; " + differing
                + " provenance rows differ; metrics:");
        for (String n : names) {
            text.append("\n  ").append(n).append(":");
            for (RunMetrics m : metrics) text.append(" ").append(m.metrics().containsKey(n) ? format(m.metrics().get(n)) : "—");
        }
        if (!overlays.isEmpty()) text.append("\noverlay charts:");
        for (String o : overlays) text.append("\n  ").append(o);
        return new Html(html.toString(), text.toString());
    }

    /** Writes the comparison as a standalone HTML page and returns the file. */
    public static Path compare(Path out, List<Path> runs) {
        Html page = compare(runs);
        try {
            if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Psyche runs compared</title></head>"
                    + "<body style=\"font-family:sans-serif\">\n" + page.html() + "\n</body></html>\n");
        } catch (IOException e) {
            throw new ReportException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The provenance of an executed report, given its JSON, its executed notebook or its HTML. */
    public static Provenance load(Path run) {
        String name = run.getFileName().toString();
        if (name.endsWith(".provenance.json")) return Provenance.read(run);
        if (name.endsWith(".ipynb")) {
            var meta = NotebookJson.read(run).path("metadata").path("psyche").path("provenance");
            if (meta.isMissingNode()) throw new ReportException(run + " has no provenance in its metadata: execute it with "
                    + "bin/psyche-notebook --execute " + run.getFileName());
            return Provenance.fromJson(meta);
        }
        Path beside = run.resolveSibling(name.replaceAll("\\.html$", "") + ".provenance.json");
        if (Files.isRegularFile(beside)) return Provenance.read(beside);
        throw new ReportException("no provenance for " + run + ": expected " + beside.getFileName()
                + " beside it (bin/psyche-notebook --execute writes it)");
    }

    private static XYChart overlay(String series, List<String> labels, List<RunMetrics> metrics) {
        XYChart chart = new XYChartBuilder().width(720).height(360).title(series).xAxisTitle("x").yAxisTitle(series).build();
        for (int i = 0; i < metrics.size(); i++) {
            List<double[]> pts = metrics.get(i).series().get(series);
            if (pts == null || pts.isEmpty()) continue;
            double[] x = new double[pts.size()];
            double[] y = new double[pts.size()];
            for (int k = 0; k < pts.size(); k++) { x[k] = pts.get(k)[0]; y[k] = pts.get(k)[1]; }
            chart.addSeries(labels.get(i), x, y).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    static String png(XYChart chart) {
        try {
            return Base64.getEncoder().encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new ReportException("cannot draw the chart " + chart.getTitle() + ": " + e.getMessage(), e);
        }
    }
}
