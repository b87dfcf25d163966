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
        sb.append(String.format("simulated %d clients for %d s: %d epochs, %d steps, final state %s%n",
                clients, simulatedSeconds, epochsCompleted, stepsCompleted, finalState));
        sb.append(String.format("epoch wall time %.1f s, %.1f steps per epoch, %.2f s per step%n",
                meanEpochWallSeconds, meanStepsPerEpoch, secondsPerStep));
        if (estimatedSecondsToTotalSteps >= 0) {
            sb.append(String.format("time to total_steps (%d): %.0f s (%.1f h)%n", totalSteps,
                    estimatedSecondsToTotalSteps, estimatedSecondsToTotalSteps / 3600));
        } else {
            sb.append(String.format("time to total_steps (%d): unknown, no step was made%n", totalSteps));
        }
        sb.append(String.format("churn: %d went offline, %d dropped by health checks", offlineEvents, drops));
        if (baselineStepsPerEpoch != null) {
            sb.append(String.format("; %.1f steps per epoch without churn, progress %.0f%% of baseline",
                    baselineStepsPerEpoch, progressVsBaseline * 100));
        }
        sb.append(System.lineSeparator());
        sb.append(String.format("rewards: rate %d per epoch, %.1f paid per epoch on average%n", earningRatePerEpoch, meanBurnPerEpoch));
        earnedPerClient.forEach((k, v) -> sb.append(String.format("  %s earned %d%n", k, v)));
        if (runwayEpochs >= 0) {
            sb.append(String.format("treasury %d funds %d epochs (%.0f s)%n", treasury, runwayEpochs, runwaySeconds));
        } else {
            sb.append(String.format("treasury %d: no burn (earning rate 0)%n", treasury));
        }
        return sb.toString();
    }
}
