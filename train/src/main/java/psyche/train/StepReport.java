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

    @Override public String toString() {
        return String.format("step %d/%d loss %.4f lr %.2e %.0f tok/s (fwd/bwd %.3fs, compress %.3fs, apply %.3fs) result %d B",
                step, totalSteps, meanLoss(), lr, tokensPerSecond, forwardBackwardSeconds, compressSeconds, applySeconds,
                resultBytes);
    }
}
