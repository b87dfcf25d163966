package psyche.sim;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.Map;

/** One thing that happened at second {@code t} (since the simulation start). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = TimelineEvent.StateChange.class, name = "state"),
        @JsonSubTypes.Type(value = TimelineEvent.RoundStarted.class, name = "round"),
        @JsonSubTypes.Type(value = TimelineEvent.RoundEnded.class, name = "round_end"),
        @JsonSubTypes.Type(value = TimelineEvent.Joined.class, name = "join"),
        @JsonSubTypes.Type(value = TimelineEvent.JoinRefused.class, name = "join_refused"),
        @JsonSubTypes.Type(value = TimelineEvent.WentOffline.class, name = "offline"),
        @JsonSubTypes.Type(value = TimelineEvent.Dropped.class, name = "drop"),
        @JsonSubTypes.Type(value = TimelineEvent.EpochEnded.class, name = "epoch_end"),
})
public sealed interface TimelineEvent {
    long t();

    /** The run state changed (possibly through intermediate states within the same instruction). */
    record StateChange(long t, String from, String to, int epoch, long step) implements TimelineEvent {}

    /** A training round started: its height, the step it trains, first sequence index, batch size, clients, trainers. */
    record RoundStarted(long t, int epoch, long height, long step, long dataIndex, int batchSize, int clients,
                        int trainers) implements TimelineEvent {}

    /** A round's witness window closed: the step reached and how many witnesses it had. */
    record RoundEnded(long t, int epoch, long height, long step, int witnesses) implements TimelineEvent {}

    record Joined(long t, String client) implements TimelineEvent {}

    record JoinRefused(long t, String client, String reason) implements TimelineEvent {}

    /** A client stopped responding ({@code reason}: behaviour or churn). */
    record WentOffline(long t, String client, String reason) implements TimelineEvent {}

    /** The coordinator marked a client Dropped after a health check by {@code reporter}. */
    record Dropped(long t, String client, String reporter) implements TimelineEvent {}

    /**
     * An epoch ended ({@code success} is Psyche's flag; rewards are paid either way): wall time from Warmup start,
     * steps made, clients in the epoch, points each client earned, the total burned and what is left.
     */
    record EpochEnded(long t, int epoch, boolean success, long wallSeconds, long steps, int clients,
                      Map<String, Long> rewards, long burned, long treasuryLeft) implements TimelineEvent {}
}
