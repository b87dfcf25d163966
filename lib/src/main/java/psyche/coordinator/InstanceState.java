package psyche.coordinator;

import psyche.config.RunMetadata;

import java.util.Objects;

/**
 * What the on-chain coordinator account holds ({@code CoordinatorInstanceState}): metadata, the coordinator, the
 * client registry, the first-tick flags and the required client version (at most 96 bytes).
 */
public record InstanceState(RunMetadata metadata, CoordinatorState coordinator, ClientsState clientsState,
                            boolean isWarmupFirstTick, boolean isTrainingFirstTick, String clientVersion) {
    public InstanceState {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(clientsState, "clientsState");
        Objects.requireNonNull(clientVersion, "clientVersion");
    }

    public static InstanceState created(String runId, String clientVersion) {
        return new InstanceState(RunMetadata.empty(), CoordinatorState.uninitialized(runId), ClientsState.empty(),
                false, false, clientVersion);
    }
}
