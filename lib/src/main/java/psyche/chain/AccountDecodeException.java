package psyche.chain;

/**
 * Account data that cannot be decoded: wrong size, discriminator or version, or a field out of range. The message
 * names the account kind, what was found and what was expected.
 */
public class AccountDecodeException extends ChainDecodeException {
    /** Which check failed. */
    public enum Reason { SIZE, DISCRIMINATOR, VERSION, FIELD }

    private final Reason reason;

    public AccountDecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AccountDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
