package psyche.charts;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import psyche.coordinator.ClientState;
import psyche.coordinator.RunState;
import psyche.history.History;
import tech.tablesaw.api.Table;

import java.awt.BasicStroke;
import java.awt.Color;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Charts of a run over time, drawn from its recorded {@link History}. */
public final class RunCharts {
    private static final Map<RunState, Color> STATE_COLORS = Map.of(
            RunState.Uninitialized, new Color(0x9E9E9E),
            RunState.WaitingForMembers, new Color(0xFFB300),
            RunState.Warmup, new Color(0xFB8C00),
            RunState.RoundTrain, new Color(0x1E88E5),
            RunState.RoundWitness, new Color(0x8E24AA),
            RunState.Cooldown, new Color(0x43A047),
            RunState.Finished, new Color(0x212121),
            RunState.Paused, new Color(0xE53935));
    private static final Map<ClientState, Color> CLIENT_COLORS = Map.of(
            ClientState.Healthy, new Color(0x43A047),
            ClientState.Dropped, new Color(0xFB8C00),
            ClientState.Withdrawn, new Color(0x9E9E9E),
            ClientState.Ejected, new Color(0xE53935));

    private RunCharts() {}

    /** Cumulative points of each client at the end of each epoch in which it was observed. */
    public static XYChart rewards(History h) {
        return rewards(h, psyche.display.TokenUnits.POINTS);
    }

    /**
     * Cumulative earnings of each client per epoch in {@code units} (a treasurer run's collateral mint's, as
     * {@code run.units()} gives them, so the chart reads like the tables); clients that earned exactly the same
     * share one line named after all of them.
     */
    public static XYChart rewards(History h, psyche.display.TokenUnits units) {
        Table t = h.rewards();
        Map<String, TreeMap<Integer, Long>> byClient = new LinkedHashMap<>();
        for (int i = 0; i < t.rowCount(); i++) {
            byClient.computeIfAbsent(t.stringColumn("client").get(i), k -> new TreeMap<>())
                    .merge(t.intColumn("epoch").get(i), t.longColumn("earned").get(i), Math::max);
        }
        boolean inPoints = units.decimals() == 0;
        XYChart chart = Charts.base((inPoints ? "Points" : "Tokens") + " earned per client — " + h.runId(), "epoch",
                (inPoints ? "points" : units.name()) + " earned (cumulative)");
        requireData(t, "rewards", "no client has earned or been registered yet");
        // clients that earned exactly the same draw one line named after all of them: otherwise the last one drawn
        // hides the others and the legend lists series nobody can see
        Map<TreeMap<Integer, Long>, List<String>> identical = new LinkedHashMap<>();
        byClient.forEach((client, points) -> identical.computeIfAbsent(points, k -> new ArrayList<>()).add(client));
        org.knowm.xchart.style.markers.Marker[] markers = {SeriesMarkers.CIRCLE, SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE,
                SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS};
        int n = 0;
        int nudged = 0;
        java.util.Set<String> drawn = new java.util.HashSet<>();
        for (var e : identical.entrySet()) {
            double[] x = e.getKey().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = e.getKey().values().stream().mapToDouble(units::value).toArray();
            // a line that shares points with one drawn before (same earnings for a while, then apart) would be hidden
            // where they meet: shift it a little to the right so every legend entry stays visible
            boolean overlaps = false;
            for (int i = 0; i < x.length; i++) overlaps |= drawn.contains(x[i] + "/" + y[i]);
            for (int i = 0; i < x.length; i++) drawn.add(x[i] + "/" + y[i]);
            if (overlaps) {
                nudged++;
                for (int i = 0; i < x.length; i++) x[i] += 0.06 * nudged;
            }
            List<String> names = e.getValue();
            String name = names.size() == 1 ? names.get(0)
                    : names.size() <= 3 ? String.join(", ", names) + " (" + names.size() + " clients identical)"
                    : names.get(0) + ", " + names.get(1) + " and " + (names.size() - 2) + " more (" + names.size() + " clients identical)";
            XYSeries s = chart.addSeries(name, x, y);
            s.setMarker(markers[n % markers.length]);
            if (n >= markers.length) s.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            n++;
        }
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisDecimalPattern("0");
        if (nudged > 0) chart.setXAxisTitle("epoch (overlapping lines shifted right a little)");
        return chart;
    }

    /** Each client's state (Healthy, Dropped, Withdrawn, Ejected) at each round, one row per client. */
    public static XYChart clientHealth(History h) {
        Table t = h.health();
        requireData(t, "client health", "no round has been observed yet");
        List<String> rounds = new ArrayList<>();
        List<String> clients = new ArrayList<>();
        for (int i = 0; i < t.rowCount(); i++) {
            String round = t.intColumn("epoch").get(i) + "/" + t.longColumn("height").get(i);
            if (!rounds.contains(round)) rounds.add(round);
            String client = t.stringColumn("client").get(i);
            if (!clients.contains(client)) clients.add(client);
        }
        Map<ClientState, List<double[]>> points = new LinkedHashMap<>();
        for (ClientState s : ClientState.values()) points.put(s, new ArrayList<>());
        for (int i = 0; i < t.rowCount(); i++) {
            String round = t.intColumn("epoch").get(i) + "/" + t.longColumn("height").get(i);
            points.get(ClientState.valueOf(t.stringColumn("state").get(i)))
                    .add(new double[]{rounds.indexOf(round), clients.indexOf(t.stringColumn("client").get(i))});
        }
        XYChart chart = Charts.base("Client health per round — " + h.runId(), "round (epoch/height)", "client");
        for (var e : points.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            XYSeries s = chart.addSeries(e.getKey().name(), e.getValue().stream().mapToDouble(p -> p[0]).toArray(),
                    e.getValue().stream().mapToDouble(p -> p[1]).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(CLIENT_COLORS.get(e.getKey()));
        }
        categoryAxis(chart, true, rounds, Charts.WIDTH - 180);
        categoryAxis(chart, false, clients, Charts.HEIGHT - 90);
        chart.getStyler().setMarkerSize(Math.max(6, Math.min(16, 300 / Math.max(1, Math.max(rounds.size(), clients.size())))));
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisMin(-0.5);
        chart.getStyler().setXAxisMax(rounds.size() - 0.5);
        chart.getStyler().setYAxisMin(-0.5);
        chart.getStyler().setYAxisMax(clients.size() - 0.5);
        return chart;
    }

    /** Bands showing which state the run was in over time (minutes since the first observation). */
    public static XYChart stateTimeline(History h, Instant until) {
        Table t = h.states();
        requireData(t, "state timeline", "the run has not been observed yet");
        Instant origin = t.instantColumn("at").get(0);
        Map<RunState, List<Double>> xs = new LinkedHashMap<>();
        Map<RunState, List<Double>> ys = new LinkedHashMap<>();
        for (int i = 0; i < t.rowCount(); i++) {
            RunState s = RunState.valueOf(t.stringColumn("state").get(i));
            Instant from = t.instantColumn("at").get(i);
            Instant to = i + 1 < t.rowCount() ? t.instantColumn("at").get(i + 1) : until;
            if (to.isBefore(from)) to = from;
            List<Double> x = xs.computeIfAbsent(s, k -> new ArrayList<>());
            List<Double> y = ys.computeIfAbsent(s, k -> new ArrayList<>());
            if (!x.isEmpty()) { x.add(Double.NaN); y.add(Double.NaN); } // gap between separate stays in a state
            x.add(minutes(origin, from)); y.add((double) s.ordinal());
            x.add(minutes(origin, to)); y.add((double) s.ordinal());
        }
        XYChart chart = Charts.base("Run state over time — " + h.runId(), "time since first observation (min)", "state");
        for (RunState s : RunState.values()) {
            if (!xs.containsKey(s)) continue;
            XYSeries series = chart.addSeries(s.display(), xs.get(s), ys.get(s));
            series.setMarker(SeriesMarkers.NONE);
            series.setLineColor(STATE_COLORS.get(s));
            series.setLineStyle(new BasicStroke(12f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        }
        categoryAxis(chart, false, java.util.Arrays.stream(RunState.values()).map(RunState::display).toList(),
                Charts.HEIGHT - 90);
        chart.getStyler().setYAxisMin(-0.5);
        chart.getStyler().setYAxisMax(RunState.values().length - 0.5);
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    /**
     * Step over time with a straight-line projection to {@code totalSteps} from the recent pace; the title gives the
     * ETA, or says why there is none (no progress yet, or finished).
     */
    public static XYChart stepProgress(History h, long totalSteps) {
        Table t = h.states();
        requireData(t, "step progress", "the run has not been observed yet");
        Instant origin = t.instantColumn("at").get(0);
        double[] x = new double[t.rowCount()];
        double[] y = new double[t.rowCount()];
        for (int i = 0; i < t.rowCount(); i++) {
            x[i] = minutes(origin, t.instantColumn("at").get(i));
            y[i] = t.longColumn("step").get(i);
        }
        Pace pace = Pace.of(x, y);
        String eta;
        double lastX = x[x.length - 1];
        double lastY = y[y.length - 1];
        if (lastY >= totalSteps) eta = "finished";
        else if (pace.stepsPerMinute <= 0) eta = "no ETA yet: no progress observed";
        else eta = "ETA " + human(Duration.ofSeconds((long) ((totalSteps - lastY) / pace.stepsPerMinute * 60)));
        XYChart chart = Charts.base(String.format(Locale.ROOT, "Step progress — %s (%s of %d, %s)", h.runId(),
                fmt(lastY), totalSteps, eta), "time since first observation (min)", "step");
        XYSeries observed = chart.addSeries("observed step", x, y);
        observed.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        observed.setMarker(SeriesMarkers.NONE);
        if (pace.stepsPerMinute > 0 && lastY < totalSteps) {
            double endX = lastX + (totalSteps - lastY) / pace.stepsPerMinute;
            XYSeries projection = chart.addSeries("projection at recent pace", new double[]{lastX, endX},
                    new double[]{lastY, totalSteps});
            projection.setMarker(SeriesMarkers.NONE);
            projection.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[]{6f, 4f}, 0f));
        }
        double goalEnd = pace.stepsPerMinute > 0 && lastY < totalSteps ? lastX + (totalSteps - lastY) / pace.stepsPerMinute : lastX;
        XYSeries goal = chart.addSeries("total_steps", new double[]{0, Math.max(goalEnd, 1e-9)},
                new double[]{totalSteps, totalSteps});
        goal.setMarker(SeriesMarkers.NONE);
        goal.setLineColor(Color.GRAY);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        return chart;
    }

    /** Treasury balance against what clients could claim, with the runway at the latest burn rate. */
    public static XYChart treasury(History h) {
        return treasury(h, psyche.display.TokenUnits.NATIVE);
    }

    /** The treasury over time in {@code units} (the collateral mint's, {@code run.units()}), as the treasury table shows it. */
    public static XYChart treasury(History h, psyche.display.TokenUnits units) {
        Table t = h.treasury();
        requireData(t, "treasury", "no treasury figures have been recorded (is this a treasurer run?)");
        Instant origin = t.instantColumn("at").get(0);
        int n = t.rowCount();
        double[] x = new double[n];
        double[] funded = new double[n];
        double[] unclaimed = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = minutes(origin, t.instantColumn("at").get(i));
            funded[i] = units.value(t.longColumn("funded").get(i));
            unclaimed[i] = units.value(t.longColumn("unclaimed").get(i));
        }
        psyche.frames.TreasuryFigures last = new psyche.frames.TreasuryFigures(t.longColumn("funded").get(n - 1),
                t.longColumn("claimable").get(n - 1), t.longColumn("claimed").get(n - 1), t.longColumn("burn_per_epoch").get(n - 1));
        String runway = Double.isInfinite(last.runwayEpochs()) ? "no burn"
                : String.format(Locale.ROOT, "runway %.1f epochs", last.runwayEpochs());
        if (last.missing() > 0) runway = "UNDERFUNDED by " + units.formatWithName(last.missing());
        XYChart chart = Charts.base("Treasury — " + h.runId() + " (" + runway + ")", "time since first observation (min)",
                "collateral (" + units.name() + ")");
        Charts.line(chart, "funded (run token account)", x, funded).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        Charts.line(chart, "claimable, not yet claimed", x, unclaimed).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    /** Recent pace: slope between the first and last observation of the latest half of the samples. */
    private record Pace(double stepsPerMinute) {
        static Pace of(double[] x, double[] y) {
            int n = x.length;
            if (n < 2) return new Pace(0);
            int from = n / 2 == n - 1 ? 0 : n / 2;
            double dx = x[n - 1] - x[from];
            return new Pace(dx <= 0 ? 0 : (y[n - 1] - y[from]) / dx);
        }
    }

    private static void requireData(Table t, String chart, String why) {
        if (t.rowCount() == 0) throw new IllegalStateException("cannot draw the " + chart + " chart: " + why);
    }

    /**
     * Labels integer ticks 0..n-1 with {@code labels}. XChart drops every label of an axis whose labels are not
     * unique, so ticks are spaced one category apart (spacing hint) and any other tick keeps its number.
     */
    private static void categoryAxis(XYChart chart, boolean xAxis, List<String> labels, int axisPixels) {
        java.util.function.Function<Double, String> f = v -> {
            int i = (int) Math.round(v);
            if (Math.abs(v - i) < 1e-9 && i >= 0 && i < labels.size()) return labels.get(i);
            // an off-category tick: blank, but still unique (zero-width spaces), since XChart needs unique labels
            return "\u200B".repeat(1 + (int) Math.round(Math.abs(v) * 4));
        };
        int hint = Math.max(12, axisPixels / Math.max(1, labels.size()));
        if (xAxis) {
            chart.setCustomXAxisTickLabelsFormatter(f);
            chart.getStyler().setXAxisTickMarkSpacingHint(Math.max(40, hint));
        } else {
            chart.setCustomYAxisTickLabelsFormatter(f);
            chart.getStyler().setYAxisTickMarkSpacingHint(hint);
        }
    }

    private static double minutes(Instant origin, Instant at) {
        return Duration.between(origin, at).toMillis() / 60_000.0;
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.0f", v); }

    static String human(Duration d) {
        long s = d.getSeconds();
        if (s < 120) return s + " s";
        if (s < 7200) return (s / 60) + " min";
        if (s < 172_800) return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
        return String.format(Locale.ROOT, "%.1f days", s / 86_400.0);
    }
}
