package psyche.chain;

/** Psyche's treasurer program's own errors ({@code solana-treasurer}), 6000 + declaration order. */
public enum TreasurerError {
    InvalidParameter("Invalid parameter"),
    RunIdInvalidLength("run_id must be 32 bytes or less");

    private final String message;

    TreasurerError(String message) { this.message = message; }

    public int code() { return 6000 + ordinal(); }

    public String message() { return message; }
}
