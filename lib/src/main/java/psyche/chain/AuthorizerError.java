package psyche.chain;

/** Psyche's authorizer program's own errors ({@code solana-authorizer}), 6000 + declaration order. */
public enum AuthorizerError {
    AuthorizationActiveIsTrue("AuthorizationActive is true"),
    AuthorizationClosingConditionsNotReachedYet("Authorization closing conditions not reached yet");

    private final String message;

    AuthorizerError(String message) { this.message = message; }

    public int code() { return 6000 + ordinal(); }

    public String message() { return message; }
}
