package psyche.chain.local;

import java.util.Arrays;
import java.util.List;

import psyche.chain.ChainDecodeException;
import psyche.chain.Message;
import psyche.chain.ShortVec;
import psyche.chain.Transaction;
import psyche.coordinator.Pubkey;

/**
 * A transaction as the local chain received it: the wire bytes it stores and hashes, the signed message bytes it
 * verifies, and the transaction parsed by the one Solana wire layer ({@link Transaction#fromWire}), which the RPC
 * client uses too. Nothing here parses or encodes.
 */
public final class WireTransaction {
    /** Solana's packet limit: a serialized transaction is at most this many bytes. */
    public static final int MAX_SIZE = Transaction.MAX_WIRE_SIZE;

    private final byte[] bytes;
    private final byte[] message;
    private final Transaction transaction;
    private final Message parsed;
    private final List<byte[]> signatures;

    private WireTransaction(byte[] bytes, Transaction transaction) {
        this.bytes = bytes;
        this.transaction = transaction;
        this.parsed = transaction.message();
        this.signatures = transaction.signatures();
        // the message follows the compact-u16 signature count and the signatures
        int messageStart = ShortVec.size(signatures.size()) + 64 * signatures.size();
        this.message = Arrays.copyOfRange(bytes, messageStart, bytes.length);
    }

    /** Parses a serialized transaction; throws {@link MalformedTransactionException} naming the offending part. */
    public static WireTransaction parse(byte[] bytes) {
        try {
            return new WireTransaction(bytes.clone(), Transaction.fromWire(bytes));
        } catch (ChainDecodeException e) {
            throw new MalformedTransactionException(e.getMessage());
        }
    }

    /** The number of signatures a serialized message asks for (getFeeForMessage). */
    public static int requiredSignatures(byte[] message) {
        try {
            return Message.parse(message).numRequiredSignatures();
        } catch (ChainDecodeException e) {
            throw new MalformedTransactionException(e.getMessage());
        }
    }

    /** True when every signature verifies against its signer key over the message as received. */
    public boolean verifySignatures() { return transaction.verifySignatures(message); }

    public Transaction transaction() { return transaction; }
    public byte[] bytes() { return bytes.clone(); }
    public byte[] message() { return message.clone(); }
    public List<byte[]> signatures() { return signatures; }
    /** The first signature: the transaction's id. */
    public byte[] signature() { return signatures.get(0).clone(); }
    public List<Pubkey> accountKeys() { return parsed.accountKeys(); }
    public byte[] recentBlockhash() { return parsed.recentBlockhash(); }
    public List<Message.CompiledInstruction> instructions() { return parsed.instructions(); }
    public int numRequiredSignatures() { return parsed.numRequiredSignatures(); }
    public int numReadonlySigned() { return parsed.numReadonlySigned(); }
    public int numReadonlyUnsigned() { return parsed.numReadonlyUnsigned(); }
    public Pubkey feePayer() { return parsed.feePayer(); }
    public boolean isSigner(int index) { return parsed.isSigner(index); }
    public boolean isWritable(int index) { return parsed.isWritable(index); }
}
