package psyche.ops;

import psyche.PsycheException;
import java.util.List;

/**
 * An operation refused or failed, with what failed, why, and what to do next. {@link #reason()} lets callers
 * (tests, notebooks) tell the cases apart without parsing the message. Never retried: every reason here needs a
 * change by the person before another attempt can succeed.
 */
public class OpsException extends PsycheException {
    private static final long serialVersionUID = 1L;

    /** Why an operation could not go ahead. */
    public enum Reason {
        /** No account at the address a run, authorization or token account should have. */
        NOT_FOUND,
        /** The wallet is not the key the program requires (main authority, grantor, grantee, client). */
        WRONG_SIGNER,
        /** The run must be halted (paused, uninitialized or finished) for this. */
        NOT_HALTED,
        /** The key has no valid join authorization for the run. */
        NOT_AUTHORIZED,
        /** A config, metadata or argument fails validation; nothing was signed. */
        INVALID,
        /** The operation would change nothing. */
        NOTHING_TO_DO,
        /** More points or tokens asked for than exist. */
        INSUFFICIENT,
        /** The run needs a treasurer (a collateral mint) for this. */
        NOT_A_TREASURER_RUN,
        /** A program rejected the transaction (named error with a hint). */
        PROGRAM_ERROR,
        /** The service this operation needs cannot be reached from here. */
        UNREACHABLE
    }

    private final Reason reason;
    private final List<String> logs;

    public OpsException(Reason reason, String message) { this(reason, message, List.of(), null); }

    public OpsException(Reason reason, String message, List<String> logs, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.logs = List.copyOf(logs);
    }

    public Reason reason() { return reason; }

    /** The next step for this reason; the message names the run, key or field. */
    @Override public String hint() {
        return switch (reason) {
            case NOT_FOUND -> "check the run id and the cluster (--rpc); `run-manager list-runs` shows the runs there";
            case WRONG_SIGNER -> "sign with the key the program requires (--wallet-private-key-path or RAW_WALLET_PRIVATE_KEY)";
            case NOT_HALTED -> "pause the run first: `run-manager set-paused --run-id <id>`";
            case NOT_AUTHORIZED -> "ask the join authority for an authorization: `run-manager join-authorization-create`";
            case INVALID -> "fix what the message lists; `run-manager validate-config --config <file>` checks a config offline";
            case NOTHING_TO_DO -> "nothing to do: the run is already as asked";
            case INSUFFICIENT -> "ask for less, or top up first (`run-manager treasurer-top-up-rewards`, `run-manager airdrop`)";
            case NOT_A_TREASURER_RUN -> "create the run with a collateral mint (`run-manager create-run --treasurer-collateral-mint`)";
            case PROGRAM_ERROR -> "the program's error and its hint are in the message; the logs are in logs()";
            case UNREACHABLE -> "check the RPC URL and the network: `run-manager doctor --rpc <url>`";
        };
    }

    /** Program logs of the failed transaction, when it reached a program. */
    public List<String> logs() { return logs; }
}
