package psyche.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import psyche.chain.Keypair;

/** tick: sends {@code tick} {@code count} times, {@code interval} apart (anyone may tick a run). */
public final class TickRun {
    private TickRun() {}

    public static List<Cluster.Sent> execute(Cluster c, Keypair payer, String runId, int count, Duration interval) {
        if (count < 1) throw new OpsException(OpsException.Reason.INVALID, "--count must be at least 1, got " + count);
        RunSnapshot run = RunSnapshot.fetch(c, runId, OptionalLong.empty());
        List<Cluster.Sent> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i > 0) sleep(interval);
            out.add(c.send("tick run '" + runId + "'", payer, List.of(c.coordinator().tick(payer.publicKey(),
                    run.instanceAddress(), run.accountAddress()))));
        }
        return out;
    }

    /**
     * run-manager's tick (run/tick.rs:38-60): {@code count} ticks, or without one until the thread is interrupted,
     * {@code interval} apart; each sent tick is handed to {@code onTick} as it lands. {@code count} 0 sends nothing.
     * Returns how many were sent.
     */
    public static long run(Cluster c, Keypair payer, String runId, OptionalLong count, Duration interval,
                           java.util.function.Consumer<Cluster.Sent> onTick) {
        if (count.isPresent() && count.getAsLong() < 0) {
            throw new OpsException(OpsException.Reason.INVALID, "--count must be >= 0, got " + count.getAsLong());
        }
        RunSnapshot run = RunSnapshot.fetch(c, runId, OptionalLong.empty());
        long sent = 0;
        long period = Math.max(1, interval.toNanos());
        long start = System.nanoTime();
        long waits = 0;
        while (!count.isPresent() || sent < count.getAsLong()) {
            if (Thread.currentThread().isInterrupted()) break;
            onTick.accept(c.send("tick run '" + runId + "'", payer, List.of(c.coordinator().tick(payer.publicKey(),
                    run.instanceAddress(), run.accountAddress()))));
            sent++;
            if (count.isPresent() && sent >= count.getAsLong()) break;
            // tokio's interval with MissedTickBehavior::Skip (run/tick.rs:38-58): its first tick is immediate, the
            // next ones fall on start + k·interval, skipping any already missed. Quirk kept: ticks 1 and 2 go
            // back to back.
            long now = System.nanoTime();
            long target = start + waits * period;
            if (target < now && waits > 0) target = start + ((now - start) / period + 1) * period;
            waits = (target - start) / period + 1;
            try {
                long wait = target - now;
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return sent;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException(OpsException.Reason.INVALID, "tick interrupted");
        }
    }
}
