package psyche.coordinator;

import psyche.config.CoordinatorConfig;
import psyche.config.LlmModel;

import java.util.Objects;

/** Psyche's {@code Coordinator} struct: the whole state the engine advances. {@code runId} is at most 32 bytes. */
public record CoordinatorState(String runId, RunState runState, LlmModel model, CoordinatorConfig config,
                               Progress progress, EpochState epochState, long runStateStartUnixTimestamp,
                               boolean pendingPause) {
    public CoordinatorState {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(runState, "runState");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(epochState, "epochState");
    }

    /** A freshly created run: Uninitialized, everything zero. */
    public static CoordinatorState uninitialized(String runId) {
        return new CoordinatorState(runId, RunState.Uninitialized, LlmModel.zeroed(), CoordinatorConfig.zeroed(),
                Progress.zeroed(), EpochState.zeroed(), 0, false);
    }
}
