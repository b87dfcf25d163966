package psyche.train;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import psyche.charts.Charts;
import psyche.display.Cards;
import psyche.display.Display;
import psyche.display.Html;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A training listener that shows one live output — progress bar, loss chart (mean and per client), tokens/s chart
 * and the last checkpoint — and rewrites it in place as rounds finish. Redraws at most every {@code minIntervalMs}
 * so plotting never slows training; the final state is always drawn.
 */
public final class LiveTrainingView implements TrainingListener, psyche.display.Viewable {
    private final String title;
    private final long minIntervalMs;
    private final List<StepReport> reports = new ArrayList<>();
    private String displayId;
    private long lastDrawMs;
    private String checkpoint = "none yet";
    private String ending;

    public LiveTrainingView(String title, long minIntervalMs) {
        this.title = title;
        this.minIntervalMs = minIntervalMs;
    }

    public LiveTrainingView(String title) { this(title, 500); }

    @Override public synchronized void onStep(StepReport report) {
        reports.add(report);
        draw(false);
    }

    @Override public synchronized void onCheckpoint(long step, Path dir) {
        checkpoint = dir + " (step " + step + ")";
    }

    @Override public synchronized void onEnd(long lastStep, Throwable error) {
        ending = error == null ? "finished at step " + lastStep : "stopped at step " + lastStep + ": " + error.getMessage();
        draw(true);
    }

    /** The current view, also what a cell shows when it ends with this object. */
    @Override public synchronized Html view() {
        List<Html> parts = new ArrayList<>();
        StepReport last = reports.isEmpty() ? null : reports.get(reports.size() - 1);
        String status = last == null ? "waiting for the first round" : String.format(Locale.ROOT,
                "step %d: loss %.4f, lr %.2e, %s, result %d B (%.0f× smaller than dense bf16)",
                last.step(), last.meanLoss(), last.lr(),
                new psyche.reports.Timing(Math.rint(last.tokensPerSecond()), "tokens/s"), last.resultBytes(),
                last.resultBytes() == 0 ? 0.0 : (double) last.denseBf16Bytes() / last.resultBytes());
        parts.add(new Html("<b>" + Html.escape(title) + "</b> — " + Html.escape(status)
                + (ending == null ? "" : "<br/>" + Html.escape(ending)) + "<br/>checkpoint: " + Html.escape(checkpoint),
                title + " — " + status + (ending == null ? "" : "\n" + ending) + "\ncheckpoint: " + checkpoint));
        if (last != null) {
            parts.add(Cards.progress("steps", last.step(), last.totalSteps()));
            parts.add(Cards.image(Charts.png(lossChart()), "loss"));
            parts.add(Cards.image(Charts.png(throughputChart()), "tokens per second " + psyche.reports.Timing.MARK)); // left out of re-run checks
        }
        return Cards.stack(parts.toArray(Html[]::new));
    }

    /** Mean loss and each client's loss per step. */
    public synchronized XYChart lossChart() {
        XYChart chart = new org.knowm.xchart.XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Training loss — " + title).xAxisTitle("step").yAxisTitle("loss (cross-entropy, nats)").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        int clients = reports.isEmpty() ? 0 : reports.get(0).clientLosses().size();
        double[] steps = reports.stream().mapToDouble(StepReport::step).toArray();
        for (int c = 0; c < clients && steps.length > 0; c++) {
            final int ci = c;
            double[] y = reports.stream().mapToDouble(r -> ci < r.clientLosses().size() ? r.clientLosses().get(ci) : Double.NaN).toArray();
            XYSeries s = chart.addSeries("client " + c, steps, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineWidth(1f);
        }
        if (steps.length > 0) {
            XYSeries mean = chart.addSeries("mean", steps, reports.stream().mapToDouble(StepReport::meanLoss).toArray());
            mean.setMarker(SeriesMarkers.NONE);
            mean.setLineWidth(3f);
            mean.setLineColor(java.awt.Color.BLACK);
        }
        return chart;
    }

    public synchronized XYChart throughputChart() {
        // per-step throughput swings with what else the step waited for (peers' results, the chain); the rolling
        // mean is the figure to read, the thin line shows the spread
        XYChart chart = new org.knowm.xchart.XYChartBuilder().width(Charts.WIDTH).height(300)
                .title("Throughput — " + title) // what it measures goes on the axis: a longer title was cut off at the chart's edge
                .xAxisTitle("step").yAxisTitle("tokens trained per second of step wall time").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        psyche.display.Numbers.ticks(chart);
        if (!reports.isEmpty()) {
            double[] x = reports.stream().mapToDouble(StepReport::step).toArray();
            double[] y = reports.stream().mapToDouble(StepReport::tokensPerSecond).toArray();
            XYSeries s = chart.addSeries("each step", x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineWidth(1f);
            s.setLineColor(new java.awt.Color(0x90CAF9));
            int window = Math.min(10, y.length);
            XYSeries mean = chart.addSeries("rolling mean of " + window + " steps", x, rollingMean(y, window));
            mean.setMarker(SeriesMarkers.NONE);
            mean.setLineWidth(3f);
            mean.setLineColor(new java.awt.Color(0x1565C0));
        }
        return chart;
    }

    /** Mean of the last {@code window} values at each position (fewer at the start). */
    static double[] rollingMean(double[] y, int window) {
        double[] out = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= window) sum -= y[i - window];
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }

    public synchronized List<StepReport> reports() { return List.copyOf(reports); }

    @Override public String toString() { return view().text(); }

    private void draw(boolean force) {
        long now = System.currentTimeMillis();
        if (!force && displayId != null && now - lastDrawMs < minIntervalMs) return;
        lastDrawMs = now;
        Html v = view();
        if (displayId == null) displayId = Display.show(v); else Display.update(displayId, v);
    }
}
