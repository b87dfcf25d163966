package psyche.chain.local;

import psyche.PsycheException;
import java.util.List;

/**
 * A transaction the local chain did not accept (preflight failure, bad signature, unknown or expired blockhash,
 * duplicate, fee payer cannot pay): nothing was applied and no fee was charged.
 */
public final class TransactionRejectedException extends PsycheException {
    private static final long serialVersionUID = 1L;
    private final transient TransactionError error;
    private final List<String> logs;
    private final long unitsConsumed;
    private final boolean simulated;

    public TransactionRejectedException(TransactionError error, List<String> logs, long unitsConsumed, boolean simulated) {
        super((simulated ? "Transaction simulation failed: " : "Transaction rejected: ") + error.message());
        this.error = error;
        this.logs = List.copyOf(logs);
        this.unitsConsumed = unitsConsumed;
        this.simulated = simulated;
    }

    public TransactionError error() { return error; }
    public List<String> logs() { return logs; }
    public long unitsConsumed() { return unitsConsumed; }
    /** True when the error came from executing the transaction (preflight), false for checks before execution. */
    public boolean simulated() { return simulated; }
}
