package psyche.chain;

/** A keypair could not be read, parsed or written. Messages never contain key material. */
public class KeypairException extends RuntimeException {
    public KeypairException(String message) { super(message); }
    public KeypairException(String message, Throwable cause) { super(message, cause); }
}
