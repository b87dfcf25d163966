package psyche.history;

import psyche.coordinator.InstanceState;
import psyche.frames.TreasuryFigures;

import java.time.Instant;
import java.util.Optional;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Follows a run by polling {@code source} every {@code interval} and recording each observation into a
 * {@link HistoryStore}. A failed poll is kept as {@link #lastError()} and retried at the next tick; the recorder
 * never dies of one bad fetch. Close it to stop.
 */
public final class HistoryRecorder implements AutoCloseable, psyche.display.Viewable {
    private final HistoryStore store;
    private final Supplier<Observation> source;
    private final Clock clock;
    private final ScheduledExecutorService timer; // null on a logical clock
    private final psyche.sim.LogicalClock.Registration onClock; // null on the wall clock
    private volatile boolean stopped;
    private final Duration interval;
    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private final AtomicReference<RuntimeException> lastError = new AtomicReference<>();

    /** One poll's findings: the run's state and, for a treasurer run, its treasury figures. */
    public record Observation(InstanceState state, Optional<TreasuryFigures> treasury) {
        public Observation {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(treasury, "treasury");
        }
    }

    private HistoryRecorder(HistoryStore store, Supplier<Observation> source, Duration interval, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = interval;
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive, got " + interval);
        }
        if (clock instanceof psyche.sim.LogicalClock logical) {
            // polled by whoever advances the clock, between their steps: the same observations on every re-run
            this.timer = null;
            this.onClock = logical.every(interval, this::pollOnce);
            return;
        }
        this.onClock = null;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "psyche-history-recorder");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::pollOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Polls {@code source} now and each time {@code clock} has moved on by {@code interval} (on the thread that
     * advances it), recording observations at the clock's instants: a recording that is the same on every re-run.
     */
    public static HistoryRecorder observing(HistoryStore store, Supplier<Observation> source, Duration interval,
                                            psyche.sim.LogicalClock clock) {
        return new HistoryRecorder(store, source, interval, clock);
    }

    /** Starts polling {@code source} now and then every {@code interval}. */
    public static HistoryRecorder start(HistoryStore store, Supplier<InstanceState> source, Duration interval) {
        return observing(store, () -> new Observation(source.get(), Optional.empty()), interval);
    }

    /** Starts polling {@code source} for the state and treasury figures (a treasurer run) every {@code interval}. */
    public static HistoryRecorder observing(HistoryStore store, Supplier<Observation> source, Duration interval) {
        return new HistoryRecorder(store, source, interval, Clock.systemUTC());
    }

    private synchronized void pollOnce() {
        if (stopped) return;
        polls.incrementAndGet();
        try {
            Observation o = source.get();
            Instant now = clock.instant();
            boolean changed = store.record(o.state(), now);
            if (o.treasury().isPresent()) {
                changed |= store.recordTreasury(o.state().coordinator().runId(), o.treasury().get(), now);
            }
            if (changed) changes.incrementAndGet();
            lastError.set(null);
        } catch (RuntimeException e) {
            lastError.set(e);
        }
    }

    public long polls() { return polls.get(); }

    /** Polls that recorded something new. */
    public long changes() { return changes.get(); }

    /** The failure of the latest poll, or null if it succeeded. */
    public RuntimeException lastError() { return lastError.get(); }

    /** One line: recording or stopped, polls, recorded changes, the latest failure. */
    public String summary() {
        RuntimeException e = lastError.get();
        return "history recorder " + (stopped ? "stopped" : "recording every " + psyche.display.Numbers.duration(interval)
                + (onClock != null ? " of logical time" : ""))
                + ": " + psyche.display.Numbers.count(polls.get()) + " polls, " + psyche.display.Numbers.count(changes.get())
                + " with changes" + (e == null ? "" : "; last poll failed: " + e.getMessage());
    }

    @Override public psyche.display.Html view() {
        String line = summary();
        return new psyche.display.Html("<div style=\"font-family:sans-serif;font-size:13px\">" + psyche.display.Html.escape(line) + "</div>", line);
    }

    @Override public String toString() { return summary(); }

    @Override public void close() {
        stopped = true;
        if (onClock != null) {
            onClock.close();
            return;
        }
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("history recorder did not stop within 5 s (a poll is stuck in its source)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
