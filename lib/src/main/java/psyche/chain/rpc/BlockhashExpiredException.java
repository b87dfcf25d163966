package psyche.chain.rpc;

/**
 * A sent transaction was not seen before its blockhash expired: it can no longer land, so re-signing it with a
 * fresh blockhash cannot apply it twice.
 */
public final class BlockhashExpiredException extends RpcException {
    private static final long serialVersionUID = 1L;
    private final String signature;

    public BlockhashExpiredException(String signature, long lastValidBlockHeight, long blockHeight) {
        super("transaction " + signature + " was not confirmed before its blockhash expired (last valid block height "
                + lastValidBlockHeight + ", now " + blockHeight + "): sign it again with a fresh blockhash", 0, true);
        this.signature = signature;
    }

    public String signature() { return signature; }

    @Override public String hint() { return "send it again: the client signs the new attempt with a fresh blockhash"; }
}
