package psyche.config;

import psyche.coordinator.RunState;

import java.util.Objects;

/**
 * The centralized server's {@code state.toml}: top-level {@code run_id} (FixedString&lt;32&gt;) and {@code run_state}
 * around the same {@code [config]} and {@code [model.LLM]} tables as a run config.
 */
public record CentralizedState(String runId, RunState runState, RunConfig runConfig) {
    public CentralizedState {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(runState, "runState");
        Objects.requireNonNull(runConfig, "runConfig");
    }
}
