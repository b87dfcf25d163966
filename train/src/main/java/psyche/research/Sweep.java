package psyche.research;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;
import psyche.display.Cards;
import psyche.display.Display;
import psyche.reports.ProvenanceLog;
import psyche.reports.Reports;
import psyche.reports.Timing;
import psyche.train.StepReport;
import psyche.train.TinyRun;
import psyche.train.Training;
import psyche.train.TrainingException;
import psyche.coordinator.BatchId;
import psyche.config.DataLocation;
import psyche.train.data.TokenDataProvider;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A DisTrO research grid on the in-process training sessions: every combination of {@code compression_topk},
 * {@code compression_chunk}, {@code compression_decay}, {@code quantize_1bit} and client count, plus an AdamW
 * baseline (one client), each trained for the same number of steps from the same seed on the same data, so a re-run
 * gives the same losses. For each it reports the final and held-out loss, the bytes of one result on the wire, their
 * ratio to the dense bf16 parameters, and tokens/s (a timing value).
 *
 * <pre>{@code
 * var result = Sweep.builder().setDataset(Path.of("datasets/tiny/train.bin")).optHeldOut(Path.of("datasets/tiny/valid.bin"))
 *         .optTopk(4, 16).optQuantize1bit(true, false).optSteps(8).build().run();
 * result.table(); result.lossChart();
 * }</pre>
 */
public final class Sweep {
    /** One point of the grid: an optimizer (DisTrO settings or AdamW) and a client count. */
    public record Variant(String name, Optimizer optimizer, int clients) {
        boolean adamw() { return optimizer instanceof Optimizer.AdamW; }
    }

    /** What one variant did: its step reports and held-out loss. */
    public record Outcome(Variant variant, List<StepReport> steps, double heldOutLoss) {
        public double finalLoss() { return steps.isEmpty() ? Double.NaN : steps.get(steps.size() - 1).meanLoss(); }

        public double bytesPerStep() { return steps.stream().mapToLong(StepReport::resultBytes).average().orElse(Double.NaN); }

        public double denseBf16Bytes() { return steps.isEmpty() ? Double.NaN : steps.get(0).denseBf16Bytes(); }

        public double tokensPerSecond() { return steps.stream().mapToDouble(StepReport::tokensPerSecond).average().orElse(Double.NaN); }
    }

    private final Builder b;

    private Sweep(Builder b) {
        this.b = b;
    }

    public static Builder builder() { return new Builder(); }

    /** The grid in the order it runs: the AdamW baseline first, then every DisTrO combination. */
    public List<Variant> variants() {
        List<Variant> out = new ArrayList<>();
        if (b.adamwBaseline) {
            out.add(new Variant("AdamW", new Optimizer.AdamW(0.9f, 0.95f, 0.0f, 1e-8f, Optional.of(1.0f)), 1));
        }
        for (int clients : b.clients) {
            for (int chunk : b.chunks) {
                for (int topk : b.topks) {
                    if (topk > chunk * chunk) continue; // Psyche rejects compression_topk > chunk²
                    for (double d0 : b.decays) {
                        float decay = (float) d0;
                        for (boolean q : b.quantize) {
                            out.add(new Variant(String.format(java.util.Locale.ROOT, "DisTrO k%d c%d d%s%s x%d", topk, chunk,
                                    decay, q ? " 1bit" : "", clients),
                                    new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), decay, topk, chunk, q), clients));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Runs every variant in turn on this thread, showing a progress bar (updated in place in a notebook). */
    public Result run() {
        List<Variant> variants = variants();
        if (variants.isEmpty()) throw new TrainingException("the sweep's grid is empty: give at least one value for each setting or keep the AdamW baseline");
        ProvenanceLog.seed("sweep initial weights", b.seed);
        String id = b.progress ? Display.show(Cards.progress("sweep", 0, variants.size())) : null;
        List<Outcome> outcomes = new ArrayList<>();
        for (Variant v : variants) {
            outcomes.add(runOne(v));
            if (id != null) Display.update(id, Cards.progress("sweep: " + v.name() + " done", outcomes.size(), variants.size()));
            if (b.onVariant != null) b.onVariant.accept(outcomes.get(outcomes.size() - 1));
        }
        return new Result(outcomes);
    }

    private Outcome runOne(Variant v) {
        RunConfig config = TinyRun.config(b.dataset, b.steps, v.optimizer(), b.lr.apply(b.steps), b.batch, b.seqLen);
        try (Training t = Training.builder().setConfig(config).optClients(v.clients()).optDevice(b.device)
                .optSteps(b.steps).optSeed(b.seed).optRunId("sweep").build()) {
            t.run();
            double heldOut = Double.NaN;
            if (b.heldOut != null) {
                try (TokenDataProvider valid = TokenDataProvider.open(new DataLocation.Local(b.heldOut.toString()), b.seqLen)) {
                    long n = Math.min(b.heldOutSequences, valid.numSequences());
                    heldOut = t.evalLoss(valid.samples(new BatchId(0, n - 1)));
                }
            }
            return new Outcome(v, List.copyOf(t.history()), heldOut);
        }
    }

    /** The sweep's outcomes as a table and charts. */
    public record Result(List<Outcome> outcomes) {
        /**
         * One row per variant: settings, final loss (last step, mean over clients), held-out loss, bytes per step
         * (one result on the wire), dense bf16 bytes over those, tokens/s (marked as timing).
         */
        public Table table() {
            StringColumn name = StringColumn.create("variant");
            StringColumn optimizer = StringColumn.create("optimizer");
            IntColumn clients = IntColumn.create("clients");
            IntColumn topk = IntColumn.create("compression_topk");
            IntColumn chunk = IntColumn.create("compression_chunk");
            DoubleColumn decay = DoubleColumn.create("compression_decay");
            BooleanColumn q = BooleanColumn.create("quantize_1bit");
            DoubleColumn fin = DoubleColumn.create("final_loss");
            DoubleColumn held = DoubleColumn.create("held_out_loss");
            LongColumn bytes = LongColumn.create("bytes_per_step");
            DoubleColumn ratio = DoubleColumn.create("dense_bf16_ratio");
            StringColumn tps = StringColumn.create("tokens_per_s");
            for (Outcome o : outcomes) {
                Variant v = o.variant();
                name.append(v.name());
                clients.append(v.clients());
                if (v.optimizer() instanceof Optimizer.Distro d) {
                    optimizer.append("DisTrO");
                    topk.append(d.compressionTopk());
                    chunk.append(d.compressionChunk());
                    decay.append(Double.parseDouble(Float.toString(d.compressionDecay()))); // 0.999, not 0.99900001
                    q.append(d.quantize1bit());
                } else {
                    optimizer.append("AdamW");
                    topk.appendMissing();
                    chunk.appendMissing();
                    decay.appendMissing();
                    q.appendMissing();
                }
                fin.append(round(o.finalLoss()));
                held.append(round(o.heldOutLoss()));
                if (v.adamw()) { // AdamW shares nothing: no bytes on the wire to compare
                    bytes.appendMissing();
                    ratio.appendMissing();
                } else {
                    bytes.append(Math.round(o.bytesPerStep()));
                    ratio.append(o.bytesPerStep() > 0 ? Math.round(o.denseBf16Bytes() / o.bytesPerStep() * 10) / 10.0 : Double.NaN);
                }
                tps.append(new Timing(Math.round(o.tokensPerSecond()), "tok/s").toString());
            }
            return Table.create("DisTrO sweep", name, optimizer, clients, topk, chunk, decay, q, fin, held, bytes, ratio, tps);
        }

        /** Loss by step, one curve per variant. */
        public XYChart lossChart() {
            XYChart chart = new XYChartBuilder().width(720).height(400).title("Training loss by step")
                    .xAxisTitle("step").yAxisTitle("mean loss over clients").build();
            for (Outcome o : outcomes) {
                if (o.steps().isEmpty()) continue;
                double[] x = o.steps().stream().mapToDouble(StepReport::step).toArray();
                double[] y = o.steps().stream().mapToDouble(StepReport::meanLoss).toArray();
                chart.addSeries(o.variant().name(), x, y).setMarker(SeriesMarkers.NONE);
            }
            return chart;
        }

        /** Held-out loss against bytes per step on the wire (log scale): the trade-off the sweep asks about. */
        public XYChart lossVsBytesChart() {
            XYChart chart = new XYChartBuilder().width(720).height(400).title("Held-out loss vs bytes per step")
                    .xAxisTitle("bytes of one result on the wire").yAxisTitle("held-out loss").build();
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
            for (Outcome o : outcomes) {
                if (!(o.bytesPerStep() > 0) || Double.isNaN(o.heldOutLoss())) continue;
                chart.addSeries(o.variant().name(), new double[] {o.bytesPerStep()}, new double[] {o.heldOutLoss()});
            }
            return chart;
        }

        /** Records each variant's final and held-out loss and its loss curve in the report's provenance. */
        public Result record() {
            for (Outcome o : outcomes) {
                Reports.metric(o.variant().name() + " final loss", o.finalLoss());
                if (!Double.isNaN(o.heldOutLoss())) Reports.metric(o.variant().name() + " held-out loss", o.heldOutLoss());
                if (!o.variant().adamw()) Reports.metric(o.variant().name() + " bytes per step", o.bytesPerStep());
                for (StepReport s : o.steps()) Reports.point("loss " + o.variant().name(), s.step(), s.meanLoss());
            }
            return this;
        }

        @Override public String toString() {
            return table().printAll();
        }
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1e4) / 1e4;
    }

    public static final class Builder {
        private Path dataset;
        private Path heldOut;
        private int heldOutSequences = 16;
        private long steps = 8;
        private long seed = 42;
        private int batch = 8;
        private int seqLen = 64;
        private String device = "cpu";
        private boolean progress = true;
        private boolean adamwBaseline = true;
        private List<Integer> topks = List.of(8);
        private List<Integer> chunks = List.of(64);
        private List<Double> decays = List.of(0.999);
        private List<Boolean> quantize = List.of(true);
        private List<Integer> clients = List.of(2);
        private java.util.function.LongFunction<LrSchedule> lr =
                // TinyRun's warmup rule: at most half the run, or a short sweep's cosine LR is 0/0 = NaN
                steps -> new LrSchedule.Cosine(4e-3, 0.0, 4e-4, psyche.train.TinyRun.warmupSteps(steps), steps);
        private Consumer<Outcome> onVariant;

        /** The training tokens (Psyche's raw format, e.g. datasets/tiny/train.bin). Required. */
        public Builder setDataset(Path p) { this.dataset = Objects.requireNonNull(p); return this; }

        /** Held-out tokens for the held-out loss (e.g. datasets/tiny/valid.bin) and how many sequences to score (16). */
        public Builder optHeldOut(Path p) { this.heldOut = p; return this; }

        public Builder optHeldOutSequences(int n) { this.heldOutSequences = n; return this; }

        /** Steps each variant trains (8); every variant trains the same steps on the same data. */
        public Builder optSteps(long n) { this.steps = n; return this; }

        /** Seed of the initial weights, the same for every variant (42). */
        public Builder optSeed(long s) { this.seed = s; return this; }

        /** Global batch in sequences (8) and sequence length (64). */
        public Builder optBatch(int sequences, int seqLen) { this.batch = sequences; this.seqLen = seqLen; return this; }

        public Builder optDevice(String d) { this.device = Objects.requireNonNull(d); return this; }

        /** Values of {@code compression_topk} to try (8). */
        public Builder optTopk(Integer... v) { return optTopk(List.of(v)); }

        public Builder optTopk(List<Integer> v) { this.topks = List.copyOf(v); return this; }

        /** Values of {@code compression_chunk} to try (64). */
        public Builder optChunk(Integer... v) { return optChunk(List.of(v)); }

        public Builder optChunk(List<Integer> v) { this.chunks = List.copyOf(v); return this; }

        /** Values of {@code compression_decay} to try (0.999). */
        public Builder optDecay(Double... v) { return optDecay(List.of(v)); }

        public Builder optDecay(List<Double> v) { this.decays = List.copyOf(v); return this; }

        /** Values of {@code quantize_1bit} to try (true). */
        public Builder optQuantize1bit(Boolean... v) { return optQuantize1bit(List.of(v)); }

        public Builder optQuantize1bit(List<Boolean> v) { this.quantize = List.copyOf(v); return this; }

        /** Client counts to try (2). */
        public Builder optClients(Integer... v) { return optClients(List.of(v)); }

        public Builder optClients(List<Integer> v) { this.clients = List.copyOf(v); return this; }

        /** Include the one-client AdamW baseline (true). */
        public Builder optAdamWBaseline(boolean on) { this.adamwBaseline = on; return this; }

        /** Show a progress bar while the grid runs (true). */
        public Builder optProgress(boolean on) { this.progress = on; return this; }

        /** The LR schedule for a given step count (cosine 4e-3 → 4e-4 with a short warmup). */
        public Builder optLr(java.util.function.LongFunction<LrSchedule> lr) { this.lr = Objects.requireNonNull(lr); return this; }

        /** Called after each variant (e.g. to print a line from a CLI). */
        public Builder optOnVariant(Consumer<Outcome> c) { this.onVariant = c; return this; }

        public Sweep build() {
            if (dataset == null) throw new TrainingException("a sweep needs training data: setDataset(Path.of(\"datasets/tiny/train.bin\"))");
            if (steps < 1) throw new TrainingException("a sweep trains at least one step per variant, got " + steps);
            return new Sweep(this);
        }
    }
}
