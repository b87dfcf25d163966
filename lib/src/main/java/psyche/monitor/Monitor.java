package psyche.monitor;

import psyche.charts.Charts;
import psyche.charts.RunCharts;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.InstanceState;
import psyche.display.Cards;
import psyche.display.Display;
import psyche.display.Html;
import psyche.history.History;
import psyche.history.HistoryStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Watches a run: polls it, records each observation, and rewrites one display (card, epoch and step progress bars,
 * charts) in place. Always bounded: it stops at the time limit, when the run halts (Paused, Finished,
 * Uninitialized), or when the thread is interrupted (the notebook's stop button).
 */
public final class Monitor {
    private Monitor() {}

    /** How to watch. Required: nothing; defaults poll every 2 s for at most 2 minutes with charts. */
    public record Options(Duration interval, Duration limit, boolean charts, boolean stopWhenHalted) {
        public Options {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(limit, "limit");
            if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
            if (limit.isNegative()) throw new IllegalArgumentException("limit must not be negative");
        }

        public static Options defaults() { return new Options(Duration.ofSeconds(2), Duration.ofMinutes(2), true, true); }

        public Options withInterval(Duration d) { return new Options(d, limit, charts, stopWhenHalted); }
        public Options withLimit(Duration d) { return new Options(interval, d, charts, stopWhenHalted); }
        public Options withCharts(boolean b) { return new Options(interval, limit, b, stopWhenHalted); }
        public Options withStopWhenHalted(boolean b) { return new Options(interval, limit, charts, b); }
    }

    /** Why watching ended, how many polls it made, and what it last saw. */
    public record Outcome(String reason, int polls, InstanceState last, List<String> errors) {
        public Outcome { errors = List.copyOf(errors); }
    }

    /** Watches with default options. */
    public static Outcome watch(Supplier<InstanceState> source) {
        return watch(source, Options.defaults(), null, Clock.systemUTC());
    }

    public static Outcome watch(Supplier<InstanceState> source, Options options) {
        return watch(source, options, null, Clock.systemUTC());
    }

    /**
     * Watches, recording into {@code store} when given (so the charts keep the longer history), otherwise into a
     * throwaway in-memory store.
     */
    public static Outcome watch(Supplier<InstanceState> source, Options options, HistoryStore store, Clock clock) {
        Objects.requireNonNull(source, "source");
        boolean ownStore = store == null;
        HistoryStore history = ownStore ? HistoryStore.inMemory() : store;
        Instant deadline = clock.instant().plus(options.limit());
        String displayId = null;
        int polls = 0;
        InstanceState last = null;
        List<String> errors = new ArrayList<>();
        String reason;
        try {
            while (true) {
                Instant now = clock.instant();
                try {
                    last = source.get();
                    history.record(last, now);
                } catch (RuntimeException e) {
                    errors.add(now + ": " + e.getMessage());
                }
                polls++;
                Html view = last == null ? new Html("<i>waiting for the first observation…</i>", "waiting for the first observation…")
                        : render(last, options.charts() ? history.history(last.coordinator().runId()) : null, now, errors);
                if (displayId == null) displayId = Display.show(view); else Display.update(displayId, view);
                if (options.stopWhenHalted() && last != null && last.coordinator().runState().halted()) {
                    reason = "run is " + last.coordinator().runState().display();
                    break;
                }
                if (!clock.instant().plus(options.interval()).isBefore(deadline)) {
                    reason = "time limit of " + options.limit().toSeconds() + " s reached";
                    break;
                }
                try {
                    Thread.sleep(options.interval().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    reason = "interrupted";
                    break;
                }
            }
        } finally {
            if (ownStore) history.close();
        }
        return new Outcome(reason, polls, last, errors);
    }

    /** The monitor view of one observation: card, progress bars, and (when history is given) charts. */
    public static Html render(InstanceState s, History history, Instant now, List<String> errors) {
        CoordinatorState c = s.coordinator();
        List<Html> parts = new ArrayList<>();
        parts.add(Cards.run(s, now));
        if (c.epochState().startTimestamp() > 0 && c.config().epochTime() > 0 && !c.runState().halted()) {
            parts.add(Cards.progress("epoch " + c.progress().epoch() + " time (s)",
                    now.getEpochSecond() - c.epochState().startTimestamp(), c.config().epochTime()));
        }
        if (c.config().totalSteps() > 0) parts.add(Cards.progress("steps", c.progress().step(), c.config().totalSteps()));
        if (history != null && history.states().rowCount() > 0) {
            parts.add(Cards.image(Charts.png(RunCharts.stateTimeline(history, now)), "run state over time"));
            if (c.config().totalSteps() > 0) {
                parts.add(Cards.image(Charts.png(RunCharts.stepProgress(history, c.config().totalSteps())), "step progress"));
            }
            if (history.health().rowCount() > 0) {
                parts.add(Cards.image(Charts.png(RunCharts.clientHealth(history)), "client health"));
            }
        }
        if (!errors.isEmpty()) {
            String lastError = errors.get(errors.size() - 1);
            parts.add(new Html("<div style=\"color:#b00\">" + errors.size() + " failed poll(s); last: "
                    + Html.escape(lastError) + "</div>", errors.size() + " failed poll(s); last: " + lastError));
        }
        return Cards.stack(parts.toArray(Html[]::new));
    }
}
