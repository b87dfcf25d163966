package psyche.monitor;

import psyche.charts.Charts;
import psyche.charts.RunCharts;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.InstanceState;
import psyche.display.Cards;
import psyche.display.Display;
import psyche.display.Html;
import psyche.display.Numbers;
import psyche.display.TokenUnits;
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
    /**
     * How to watch. Required: nothing; defaults poll every 2 s for at most 2 minutes with charts. {@code units}: how
     * rates are shown; null = the run's own (its collateral mint's units; points when unknown).
     */
    public record Options(Duration interval, Duration limit, boolean charts, boolean stopWhenHalted, TokenUnits units) {
        public Options {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(limit, "limit");
            if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
            if (limit.isNegative()) throw new IllegalArgumentException("limit must not be negative");
        }

        public Options(Duration interval, Duration limit, boolean charts, boolean stopWhenHalted) {
            this(interval, limit, charts, stopWhenHalted, null);
        }

        public static Options defaults() { return new Options(Duration.ofSeconds(2), Duration.ofMinutes(2), true, true, null); }

        public Options withInterval(Duration d) { return new Options(d, limit, charts, stopWhenHalted, units); }
        public Options withLimit(Duration d) { return new Options(interval, d, charts, stopWhenHalted, units); }
        public Options withCharts(boolean b) { return new Options(interval, limit, b, stopWhenHalted, units); }
        public Options withStopWhenHalted(boolean b) { return new Options(interval, limit, charts, b, units); }
        public Options withUnits(TokenUnits u) { return new Options(interval, limit, charts, stopWhenHalted, u); }
    }

    /** Why watching ended, how many polls it made, and what it last saw. Shown as one line. */
    public record Outcome(String reason, int polls, InstanceState last, List<String> errors) implements psyche.display.Viewable {
        public Outcome { errors = List.copyOf(errors); }

        /** One line: why it stopped, after how many polls, where the run was. */
        public String summary() {
            StringBuilder s = new StringBuilder("watch ended: ").append(reason).append(" after ")
                    .append(Numbers.count(polls)).append(polls == 1 ? " poll" : " polls");
            if (last != null) {
                CoordinatorState c = last.coordinator();
                s.append(" — run ").append(c.runId()).append(' ').append(c.runState().display())
                        .append(", epoch ").append(Numbers.count(c.progress().epoch()))
                        .append(", step ").append(Numbers.count(c.progress().step())).append(" of ")
                        .append(Numbers.count(c.config().totalSteps()));
            }
            if (!errors.isEmpty()) s.append("; ").append(errors.size()).append(" failed poll(s)");
            return s.toString();
        }

        @Override public String toString() { return summary(); }

        @Override public Html view() {
            String line = summary();
            return new Html("<div style=\"font-family:sans-serif;font-size:13px;color:#57606a\">" + Html.escape(line) + "</div>", line);
        }
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
        return watch(source, options, store, clock, interval -> {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * As {@link #watch(Supplier, Options, HistoryStore, Clock)}, with {@code waitInterval} between frames instead of
     * sleeping: e.g. simulated clients stepping until {@code clock} (their logical clock) has moved on by the
     * interval, so the frames do not depend on the machine's speed.
     */
    public static Outcome watch(Supplier<InstanceState> source, Options options, HistoryStore store, Clock clock,
                                java.util.function.Consumer<Duration> waitInterval) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(waitInterval, "waitInterval");
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
                        : render(last, options.charts() ? history.history(last.coordinator().runId()) : null, now, errors,
                        options.units() == null ? TokenUnits.POINTS : options.units());
                if (displayId == null) displayId = Display.show(view); else Display.update(displayId, view);
                if (options.stopWhenHalted() && last != null && last.coordinator().runState().halted()) {
                    reason = "run is " + last.coordinator().runState().display();
                    break;
                }
                if (!clock.instant().plus(options.interval()).isBefore(deadline)) {
                    reason = "time limit of " + options.limit().toSeconds() + " s reached";
                    break;
                }
                waitInterval.accept(options.interval());
                if (Thread.currentThread().isInterrupted()) {
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
        return render(s, history, now, errors, TokenUnits.POINTS);
    }

    /** {@link #render(InstanceState, History, Instant, List)} with rates in {@code units}. */
    public static Html render(InstanceState s, History history, Instant now, List<String> errors, TokenUnits units) {
        CoordinatorState c = s.coordinator();
        List<Html> parts = new ArrayList<>();
        parts.add(Cards.run(s, now, units));
        if (c.epochState().startTimestamp() > 0 && c.config().epochTime() > 0 && !c.runState().halted()) {
            long elapsed = now.getEpochSecond() - c.epochState().startTimestamp();
            // the epoch ends at the first round boundary after epoch_time: past it, say so instead of "100% (70 / 60)"
            String label = elapsed >= c.config().epochTime()
                    ? "epoch " + c.progress().epoch() + " time (s): ending after its last round, " + Numbers.seconds(elapsed) + " in"
                    : "epoch " + c.progress().epoch() + " time (s)";
            parts.add(Cards.progress(label, Math.min(elapsed, c.config().epochTime()), c.config().epochTime()));
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
