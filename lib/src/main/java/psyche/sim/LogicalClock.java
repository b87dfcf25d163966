package psyche.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A clock that moves only when told to, for reports whose runs must come out the same on every re-run: the local
 * chain's slots and clock sysvar ({@code Psyche.localReproducible(ledger, wallet, seed, clock)}), simulated clients
 * that advance it by their step interval after each step ({@code ChainClients.Builder.optLogicalClock}), and the
 * history recorder and monitor, which observe at fixed logical intervals instead of wall-clock ones. What a run does
 * then depends on how many steps were taken, never on how fast the machine took them.
 * <p>
 * Tasks registered with {@link #every} run on the thread that calls {@link #advance}, in registration order, each
 * time the clock passes their next due instant (at most once per advance: a poll cannot usefully run twice at one
 * instant).
 */
public final class LogicalClock extends Clock {
    /** Where reports' logical clocks start: a fixed instant, so dates in outputs are the same too. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    private final Object lock = new Object();
    private final List<Periodic> tasks = new ArrayList<>();
    private long millis;

    private static final class Periodic {
        final long intervalMillis;
        final Runnable task;
        long dueMillis;
        boolean cancelled;

        Periodic(long intervalMillis, Runnable task, long dueMillis) {
            this.intervalMillis = intervalMillis;
            this.task = task;
            this.dueMillis = dueMillis;
        }
    }

    /** A handle on a task registered with {@link #every}; close it to stop the task. */
    public interface Registration extends AutoCloseable {
        @Override void close();
    }

    public LogicalClock(Instant start) { this.millis = Objects.requireNonNull(start, "start").toEpochMilli(); }

    /** Starting at {@link #DEFAULT_START}. */
    public LogicalClock() { this(DEFAULT_START); }

    /** Moves the clock forward by {@code d}, then runs the tasks that came due. */
    public void advance(Duration d) {
        Objects.requireNonNull(d, "d");
        if (d.isNegative()) throw new IllegalArgumentException("a clock only moves forward; got " + d);
        List<Periodic> due = new ArrayList<>();
        synchronized (lock) {
            millis += d.toMillis();
            for (Periodic p : tasks) {
                if (!p.cancelled && p.dueMillis <= millis) {
                    due.add(p);
                    while (p.dueMillis <= millis) p.dueMillis += p.intervalMillis;
                }
            }
        }
        for (Periodic p : due) if (!p.cancelled) p.task.run();
    }

    /** Runs {@code task} now and then each time the clock has moved on by {@code interval}. */
    public Registration every(Duration interval, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        Periodic p;
        synchronized (lock) {
            p = new Periodic(interval.toMillis(), task, millis + interval.toMillis());
            tasks.add(p);
        }
        task.run();
        return () -> {
            synchronized (lock) {
                p.cancelled = true;
                tasks.remove(p);
            }
        };
    }

    /** Whole seconds since the Unix epoch (what the chain's clock sysvar shows). */
    public long epochSecond() { return Math.floorDiv(millis(), 1000); }

    @Override public long millis() {
        synchronized (lock) {
            return millis;
        }
    }

    @Override public Instant instant() { return Instant.ofEpochMilli(millis()); }
    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public String toString() { return "LogicalClock[" + instant() + "]"; }
}
