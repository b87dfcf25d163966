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

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException(OpsException.Reason.INVALID, "tick interrupted");
        }
    }
}
