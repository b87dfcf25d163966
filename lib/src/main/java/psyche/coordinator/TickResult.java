package psyche.coordinator;

import java.util.Objects;

/** The state after a tick and what the tick reported: nothing, or the end of an epoch (with Psyche's success flag). */
public record TickResult(CoordinatorState state, Event event) {
    public enum Event { TICKED, EPOCH_END_SUCCESS, EPOCH_END_FAILURE }

    public TickResult {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(event, "event");
    }

    public boolean epochEnded() { return event != Event.TICKED; }
}
