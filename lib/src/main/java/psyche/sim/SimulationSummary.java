package psyche.sim;

import java.util.Map;

/**
 * The answers a run owner asks before spending anything.
 *
 * @param clients                  simulated clients
 * @param simulatedSeconds         virtual seconds simulated
 * @param epochsCompleted          epochs that reached their end (successful or not)
 * @param stepsCompleted           training steps completed ({@code step - 1})
 * @param finalState               run state at the end
 * @param meanEpochWallSeconds     mean epoch length from Warmup start to epoch end (successful epochs)
 * @param meanStepsPerEpoch        mean steps per successful epoch
 * @param secondsPerStep           simulated seconds per completed step overall
 * @param totalSteps               the config's {@code total_steps}
 * @param estimatedSecondsToTotalSteps elapsed + remaining steps × secondsPerStep (-1 if no step was made)
 * @param drops                    clients marked Dropped by health checks
 * @param offlineEvents            clients that went offline (behaviour or churn)
 * @param baselineStepsPerEpoch    mean steps per epoch of the same run with only reliable clients (null if no churn)
 * @param progressVsBaseline       stepsCompleted / baseline steps over the same time (null if no churn)
 * @param earnedPerClient          points earned per client over the simulation
 * @param earningRatePerEpoch      {@code earning_rate_total_shared}
 * @param meanBurnPerEpoch         mean points paid per epoch (≤ earning rate: integer division, unhealthy clients)
 * @param treasury                 treasury balance the runway is computed for
 * @param runwayEpochs             epochs the treasury funds at the earning rate (-1 = unlimited, rate 0)
 * @param runwaySeconds            runwayEpochs × meanEpochWallSeconds (-1 if unknown)
 */
public record SimulationSummary(int clients, long simulatedSeconds, int epochsCompleted, long stepsCompleted,
                                String finalState, double meanEpochWallSeconds, double meanStepsPerEpoch,
                                double secondsPerStep, long totalSteps, double estimatedSecondsToTotalSteps,
                                int drops, int offlineEvents, Double baselineStepsPerEpoch, Double progressVsBaseline,
                                Map<String, Long> earnedPerClient, long earningRatePerEpoch, double meanBurnPerEpoch,
                                long treasury, long runwayEpochs, double runwaySeconds) {

    /** A few readable lines. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("simulated %d clients for %s: %d epochs, %s steps, final state %s%n",
                clients, psyche.display.Numbers.duration(java.time.Duration.ofSeconds(simulatedSeconds)), epochsCompleted, psyche.display.Numbers.count(stepsCompleted), finalState));
        sb.append(String.format("epoch wall time %.1f s, %.1f steps per epoch, %.2f s per step%n",
                meanEpochWallSeconds, meanStepsPerEpoch, secondsPerStep));
        if (estimatedSecondsToTotalSteps >= 0) {
            sb.append(String.format("time to total_steps (%s): %s%n", psyche.display.Numbers.count(totalSteps),
                    psyche.display.Numbers.duration(java.time.Duration.ofSeconds(Math.round(estimatedSecondsToTotalSteps)))));
        } else {
            sb.append(String.format("time to total_steps (%d): unknown, no step was made%n", totalSteps));
        }
        sb.append(String.format("churn: %d went offline, %d dropped by health checks", offlineEvents, drops));
        if (baselineStepsPerEpoch != null) {
            sb.append(String.format("; %.1f steps per epoch without churn, progress %.0f%% of baseline",
                    baselineStepsPerEpoch, progressVsBaseline * 100));
        }
        sb.append(System.lineSeparator());
        sb.append(String.format("rewards (points): rate %s per epoch, %s paid per epoch on average%n", psyche.display.Numbers.count(earningRatePerEpoch),
                psyche.display.Numbers.number(meanBurnPerEpoch)));
        earnedPerClient.forEach((k, v) -> sb.append(String.format("  %s earned %s%n", k, psyche.display.Numbers.count(v))));
        if (runwayEpochs >= 0) {
            sb.append(String.format("treasury %s points funds %s epochs (%s)%n", psyche.display.Numbers.count(treasury), psyche.display.Numbers.count(runwayEpochs),
                    psyche.display.Numbers.duration(java.time.Duration.ofSeconds(Math.round(runwaySeconds)))));
        } else {
            sb.append(String.format("treasury %s points: no burn (earning rate 0)%n", psyche.display.Numbers.count(treasury)));
        }
        return sb.toString();
    }
}
