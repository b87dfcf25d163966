package psyche.chain.local;

import java.util.List;

/** What a transaction would do now: its error (null on success), logs and compute units; nothing is committed. */
public record SimulationResult(TransactionError err, List<String> logs, long unitsConsumed, long slot) {
    public SimulationResult {
        logs = List.copyOf(logs);
    }
}
