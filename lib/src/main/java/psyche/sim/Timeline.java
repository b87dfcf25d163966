package psyche.sim;

import java.util.List;

/** Everything a simulation recorded, in time order. */
public record Timeline(List<TimelineEvent> events) {
    public Timeline { events = List.copyOf(events); }

    public <T extends TimelineEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public List<TimelineEvent.EpochEnded> epochs() { return of(TimelineEvent.EpochEnded.class); }

    public List<TimelineEvent.RoundStarted> rounds() { return of(TimelineEvent.RoundStarted.class); }
}
