package psyche.train;

import java.util.List;

/**
 * What one round did: losses of each client on its own range (NaN for a client without data), throughput, where the
 * time went (summed over clients) and the size of one shared result on the wire ({@code resultBytes}, the mean over
 * the round's clients) against the same parameters dense in bf16.
 */
public record StepReport(
        long step,
        long totalSteps,
        double lr,
        List<Float> clientLosses,
        long tokens,
        double tokensPerSecond,
        double stepSeconds,
        double forwardBackwardSeconds,
        double compressSeconds,
        double applySeconds,
        long resultBytes,
        long denseBf16Bytes) {

    public StepReport {
        clientLosses = List.copyOf(clientLosses);
    }

    /** Mean loss over the clients that trained. */
    public double meanLoss() {
        return clientLosses.stream().filter(l -> !l.isNaN()).mapToDouble(Float::doubleValue).average().orElse(Double.NaN);
    }

    /** The rows a session's card shows of its step reports: the last step (loss, LR) and the recent throughput. */
    public static java.util.List<String[]> cardRows(java.util.List<StepReport> history) {
        if (history.isEmpty()) return java.util.List.of();
        StepReport last = history.get(history.size() - 1);
        int window = Math.min(10, history.size());
        double tps = history.subList(history.size() - window, history.size()).stream().mapToDouble(StepReport::tokensPerSecond).average().orElse(0);
        return java.util.List.of(
                new String[]{"last step", psyche.display.Numbers.count(last.step()) + " of " + psyche.display.Numbers.count(last.totalSteps())
                        + ": loss " + psyche.display.Numbers.loss(last.meanLoss()) + ", lr " + psyche.display.Numbers.lr(last.lr())},
                new String[]{"throughput", psyche.display.Numbers.rate(tps, "tokens") + " (mean of the last " + window + " steps)"});
    }

    @Override public String toString() {
        return String.format("step %d/%d loss %.4f lr %.2e %.0f tok/s (fwd/bwd %.3fs, compress %.3fs, apply %.3fs) result %d B",
                step, totalSteps, meanLoss(), lr, tokensPerSecond, forwardBackwardSeconds, compressSeconds, applySeconds,
                resultBytes);
    }

    /**
     * Step reports as a table: step, lr, mean loss, each client's loss (named by {@code clientNames}), tokens/s,
     * result bytes, seconds. Tokens/s and seconds depend on the machine and the clock: they are shown as
     * {@link psyche.reports.Timing} values ("1,234 tok/s (timing)"), so {@code --check-reproducible} leaves them out.
     */
    public static tech.tablesaw.api.Table table(String title, java.util.List<String> clientNames,
                                                java.util.List<StepReport> reports) {
        var step = tech.tablesaw.api.LongColumn.create("step");
        var lr = tech.tablesaw.api.DoubleColumn.create("lr");
        var mean = tech.tablesaw.api.DoubleColumn.create("loss");
        java.util.List<tech.tablesaw.api.DoubleColumn> perClient = new java.util.ArrayList<>();
        for (String name : clientNames) perClient.add(tech.tablesaw.api.DoubleColumn.create(name + " loss"));
        var tps = tech.tablesaw.api.StringColumn.create("tokens/s");
        var bytes = tech.tablesaw.api.LongColumn.create("result bytes");
        var secs = tech.tablesaw.api.StringColumn.create("seconds");
        for (StepReport r : reports) {
            step.append(r.step());
            lr.append(r.lr());
            mean.append(Math.rint(r.meanLoss() * 1e4) / 1e4);
            for (int i = 0; i < perClient.size(); i++) {
                float l = i < r.clientLosses().size() ? r.clientLosses().get(i) : Float.NaN;
                if (Float.isNaN(l)) perClient.get(i).appendMissing();
                else perClient.get(i).append(Math.rint(l * 1e4) / 1e4);
            }
            tps.append(new psyche.reports.Timing(Math.rint(r.tokensPerSecond()), "tok/s").toString());
            bytes.append(r.resultBytes());
            secs.append(new psyche.reports.Timing(Math.rint(r.stepSeconds() * 1000) / 1000, "s").toString());
        }
        var table = tech.tablesaw.api.Table.create(title, step, lr, mean);
        perClient.forEach(table::addColumns);
        return psyche.frames.Frames.formatted(table.addColumns(tps, bytes, secs));
    }
}
