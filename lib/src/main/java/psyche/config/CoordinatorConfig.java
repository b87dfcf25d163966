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

    /**
     * Global batch size (sequences) once {@code totalTokensProcessed} tokens are behind the run: {@code gbs_end}
     * from {@code global_batch_size_warmup_tokens} on, before that a linear ramp from {@code gbs_start}, rounded
     * half away from zero as Rust's {@code f64::round} ({@code CoordinatorConfig::get_batch_size}).
     */
    public int globalBatchSize(long totalTokensProcessed) {
        if (Long.compareUnsigned(totalTokensProcessed, globalBatchSizeWarmupTokens) >= 0) return globalBatchSizeEnd;
        double progress = unsignedToDouble(totalTokensProcessed) / unsignedToDouble(globalBatchSizeWarmupTokens);
        double size = globalBatchSizeStart + ((double) globalBatchSizeEnd - globalBatchSizeStart) * progress;
        // Rust's f64::round rounds half away from zero (size is never negative); `as u16` saturates.
        return (int) Math.min(0xFFFF, Math.max(0, (long) Math.floor(size + 0.5)));
    }

    /**
     * The data index (sequences consumed) at which {@code step} starts: the sum of the batch sizes of steps
     * 1..step-1, or 0 when {@code step <= 1 || step > totalSteps} ({@code get_data_index_for_step}).
     */
    public long dataIndexForStep(long step, long maxSeqLen) {
        if (step <= 1 || step > totalSteps) return 0;
        long dataIndex = 0;
        for (long s = 1; s < step; s++) dataIndex += globalBatchSize(dataIndex * maxSeqLen);
        return dataIndex;
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? (double) v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    /** The all-zero config of a freshly created (Uninitialized) run. */
    public static CoordinatorConfig zeroed() {
        return new CoordinatorConfig(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    // with*: a copy with one field changed (a notebook changes one value in one call)
    public CoordinatorConfig withWarmupTime(long value) { return new CoordinatorConfig(value, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withCooldownTime(long value) { return new CoordinatorConfig(warmupTime, value, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withMaxRoundTrainTime(long value) { return new CoordinatorConfig(warmupTime, cooldownTime, value, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withRoundWitnessTime(long value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, value, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withGlobalBatchSizeWarmupTokens(long value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, value, epochTime, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withEpochTime(long value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, value, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withTotalSteps(long value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, value, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withInitMinClients(int value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, value, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withMinClients(int value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, value, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withWitnessNodes(int value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, value, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withGlobalBatchSizeStart(int value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, witnessNodes, value, globalBatchSizeEnd, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withGlobalBatchSizeEnd(int value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, value, verificationPercent, waitingForMembersExtraTime); }
    public CoordinatorConfig withVerificationPercent(int value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, value, waitingForMembersExtraTime); }
    public CoordinatorConfig withWaitingForMembersExtraTime(int value) { return new CoordinatorConfig(warmupTime, cooldownTime, maxRoundTrainTime, roundWitnessTime, globalBatchSizeWarmupTokens, epochTime, totalSteps, initMinClients, minClients, witnessNodes, globalBatchSizeStart, globalBatchSizeEnd, verificationPercent, value); }
}
