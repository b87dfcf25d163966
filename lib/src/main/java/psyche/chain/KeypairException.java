package psyche.chain;

import psyche.PsycheException;

/** A keypair could not be read, parsed or written. Messages never contain key material. */
public class KeypairException extends PsycheException {
    public KeypairException(String message) { super(message); }
    public KeypairException(String message, Throwable cause) { super(message, cause); }

    @Override public String hint() {
        return "create a keypair with `run-manager keygen new`, or pass a Solana CLI keypair with --wallet-private-key-path";
    }
}
