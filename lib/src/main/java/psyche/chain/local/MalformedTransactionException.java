package psyche.chain.local;

/** Bytes that are not a Solana transaction the local chain accepts; the message says which part is wrong. */
public final class MalformedTransactionException extends psyche.chain.ChainDecodeException {
    private static final long serialVersionUID = 1L;

    public MalformedTransactionException(String message) { super(message); }
}
