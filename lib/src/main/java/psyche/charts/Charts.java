package psyche.charts;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import psyche.config.CoordinatorConfig;
import psyche.config.LrSchedule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Chart factory. Charts are plain XChart objects: the kernel renders them inline, {@link #save} writes files. */
public final class Charts {
    /** Most points drawn per series; longer ranges are sampled evenly (end points always included). */
    static final int MAX_POINTS = 1000;
    public static final int WIDTH = 800;
    public static final int HEIGHT = 420;

    private Charts() {}

    /** The learning rate over steps 0..{@code totalSteps}, with the warmup end marked. */
    public static XYChart lrSchedule(LrSchedule schedule, long totalSteps) {
        if (totalSteps <= 0) throw new IllegalArgumentException("totalSteps must be > 0 to plot a schedule, got " + totalSteps);
        long[] steps = sampleSteps(0, totalSteps);
        double[] x = new double[steps.length];
        double[] y = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            x[i] = steps[i];
            y[i] = schedule.lr(steps[i]);
        }
        XYChart chart = base("Learning-rate schedule (" + schedule.getClass().getSimpleName() + ")", "step",
                "learning rate");
        line(chart, "lr(step)", x, y);
        if (schedule.warmupSteps() > 0 && schedule.warmupSteps() <= totalSteps) {
            XYSeries warm = chart.addSeries("warmup ends (step " + schedule.warmupSteps() + ")",
                    new double[]{schedule.warmupSteps()}, new double[]{schedule.lr(schedule.warmupSteps())});
            warm.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            warm.setMarker(SeriesMarkers.DIAMOND);
        }
        return chart;
    }

    /**
     * The global batch size (sequences) of each step 1..total_steps: the ramp from {@code global_batch_size_start}
     * to {@code global_batch_size_end} over {@code global_batch_size_warmup_tokens}.
     */
    public static XYChart batchRamp(CoordinatorConfig config, long maxSeqLen) {
        if (config.totalSteps() <= 0) throw new IllegalArgumentException("total_steps must be > 0 to plot the batch ramp");
        long[] steps = sampleSteps(1, config.totalSteps());
        double[] x = new double[steps.length];
        double[] y = new double[steps.length];
        // Walk every step once (the data index is a running sum), picking out the sampled ones.
        long dataIndex = 0;
        int next = 0;
        for (long s = 1; s <= config.totalSteps() && next < steps.length; s++) {
            int size = config.globalBatchSize(dataIndex * maxSeqLen);
            if (s == steps[next]) {
                x[next] = s;
                y[next] = size;
                next++;
            }
            dataIndex += size;
        }
        XYChart chart = base(String.format(Locale.ROOT, "Global batch size ramp (%d → %d sequences of %d tokens)",
                config.globalBatchSizeStart(), config.globalBatchSizeEnd(), maxSeqLen), "step", "batch size (sequences)");
        line(chart, "global batch size", x, y);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(Math.ceil(config.globalBatchSizeEnd() * 1.1));
        return chart;
    }

    /** Writes the chart as PNG or SVG, chosen by the file extension; creates parent directories. */
    public static Path save(Chart<?, ?> chart, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            if (name.endsWith(".png")) {
                BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
            } else if (name.endsWith(".svg")) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, file.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            } else {
                throw new IllegalArgumentException("cannot tell the image format of '" + file
                        + "': name it .png or .svg");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write chart to " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@link #save(Chart, Path)} with a file name, as in {@code Charts.save(chart, "loss.png")}; {@code ~} is the home folder. */
    public static Path save(Chart<?, ?> chart, String file) {
        return save(chart, psyche.UserHome.expand(file));
    }

    /** PNG bytes of a chart (what the notebook renderer sends). */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode chart as PNG: " + e.getMessage(), e);
        }
    }

    static XYChart base(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        psyche.display.Numbers.ticks(chart); // one number policy: 1.0e-03 and 35M, never 1.0E-3 or 3.5E7
        return chart;
    }

    static XYSeries line(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        return s;
    }

    /** Evenly spaced steps from {@code from} to {@code to} inclusive, at most {@link #MAX_POINTS}. */
    static long[] sampleSteps(long from, long to) {
        long span = to - from;
        int n = (int) Math.min(MAX_POINTS, span + 1);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = n == 1 ? from : from + Math.round((double) span * i / (n - 1));
        return out;
    }
}
