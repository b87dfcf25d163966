package psyche.config;

/**
 * The {@code [config]} table: timing (seconds), thresholds and batch sizes of a run. Field order is the
 * on-chain order ({@code shared/coordinator/src/coordinator.rs}); all fourteen fields are required in TOML.
 */
public record CoordinatorConfig(
        long warmupTime,
        long cooldownTime,
        long maxRoundTrainTime,
        long roundWitnessTime,
        long globalBatchSizeWarmupTokens,
        long epochTime,
        long totalSteps,
        int initMinClients,
        int minClients,
        int witnessNodes,
        int globalBatchSizeStart,
        int globalBatchSizeEnd,
        int verificationPercent,
        int waitingForMembersExtraTime) {

    /** The all-zero config of a freshly created (Uninitialized) run. */
    public static CoordinatorConfig zeroed() {
        return new CoordinatorConfig(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
