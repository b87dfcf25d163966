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
}
