package psyche.chain;

/** Bytes that do not decode as what they were expected to be: says what, where, and what was expected. */
public class ChainDecodeException extends RuntimeException {
    public ChainDecodeException(String message) { super(message); }
    public ChainDecodeException(String message, Throwable cause) { super(message, cause); }
}
