package psyche.chain.rpc;

import psyche.PsycheException;

/**
 * A Solana JSON-RPC call that failed: transport trouble that outlived the retries, or an error the node returned.
 * {@link #code()} is the JSON-RPC error code (0 for transport failures, the HTTP status for HTTP errors).
 */
public class RpcException extends PsycheException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final boolean retryable;

    public RpcException(String message, int code, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    public RpcException(String message, int code, boolean retryable) { this(message, code, retryable, null); }

    public int code() { return code; }

    /** True when the same request may succeed later (HTTP 429/5xx, connection trouble, timeouts). */
    public boolean retryable() { return retryable; }

    @Override public String hint() {
        return retryable ? "the node did not answer in time after the retries: check the RPC URL and the node with"
                + " `run-manager doctor --rpc <url>`, then try again" : REPORT_HINT;
    }
}
