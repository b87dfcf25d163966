package psyche.chain;

import psyche.coordinator.Pubkey;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A legacy transaction: one 64-byte signature per required signer (in account-key order), then the message.
 * Wire format: compact-u16 signature count, signatures, message bytes.
 */
public record Transaction(List<byte[]> signatures, Message message) {
    private static final byte[] EMPTY_SIGNATURE = new byte[64];

    public Transaction {
        Objects.requireNonNull(message, "message");
        List<byte[]> copy = new ArrayList<>();
        for (byte[] s : signatures) {
            if (s == null || s.length != 64) throw new IllegalArgumentException("a signature is 64 bytes");
            copy.add(s.clone());
        }
        signatures = List.copyOf(copy);
    }

    @Override public List<byte[]> signatures() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] s : signatures) out.add(s.clone());
        return out;
    }

    /** Signs with every keypair the message requires; a missing or unexpected signer is an error naming it. */
    public static Transaction sign(Message message, Keypair... signers) {
        List<byte[]> sigs = new ArrayList<>();
        byte[] bytes = message.serialize();
        for (Pubkey required : message.signers()) {
            Keypair k = Arrays.stream(signers).filter(s -> s.publicKey().equals(required)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no keypair given for required signer " + required));
            sigs.add(k.sign(bytes));
        }
        for (Keypair k : signers) {
            if (!message.signers().contains(k.publicKey())) {
                throw new IllegalArgumentException("keypair " + k.publicKey() + " is not a signer of this message");
            }
        }
        return new Transaction(sigs, message);
    }

    /** Compiles for {@code feePayer} (who pays the fee and signs first) and signs in one step. */
    public static Transaction build(Pubkey feePayer, List<Instruction> instructions, String recentBlockhash, Keypair... signers) {
        return sign(Message.compile(feePayer, instructions, recentBlockhash), signers);
    }

    /** With all-zero signatures, e.g. for fee simulation with {@code sigVerify=false}. */
    public static Transaction unsigned(Message message) {
        List<byte[]> sigs = new ArrayList<>();
        for (int i = 0; i < message.numRequiredSignatures(); i++) sigs.add(EMPTY_SIGNATURE);
        return new Transaction(sigs, message);
    }

    public byte[] toWire() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ShortVec.write(out, signatures.size());
        for (byte[] s : signatures) out.writeBytes(s);
        out.writeBytes(message.serialize());
        return out.toByteArray();
    }

    public String toBase64() { return java.util.Base64.getEncoder().encodeToString(toWire()); }

    /** The transaction id: base58 of the first signature. */
    public String signature() { return Pubkey.base58Encode(signatures.get(0)); }

    /** Solana's packet limit: a serialized transaction is at most this many bytes. */
    public static final int MAX_WIRE_SIZE = 1232;

    /**
     * Parses wire bytes, the one parser for the RPC client and the local chain: anything malformed (oversized,
     * truncated, trailing bytes, a signature count the header does not ask for, what Solana's sanitize refuses) is a
     * {@link ChainDecodeException} naming the part.
     */
    public static Transaction fromWire(byte[] wire) {
        if (wire.length > MAX_WIRE_SIZE) {
            throw new ChainDecodeException("transaction is " + wire.length + " bytes, Solana allows at most " + MAX_WIRE_SIZE);
        }
        int[] pos = {0};
        int n = ShortVec.read(wire, pos, "signature count");
        List<byte[]> sigs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (wire.length - pos[0] < 64) {
                throw new ChainDecodeException("transaction ends inside signature " + i + " (at byte " + pos[0] + " of " + wire.length + ")");
            }
            sigs.add(Arrays.copyOfRange(wire, pos[0], pos[0] + 64));
            pos[0] += 64;
        }
        Message m = Message.parse(wire, pos);
        if (pos[0] != wire.length) throw new ChainDecodeException((wire.length - pos[0]) + " trailing bytes after the message");
        if (n != m.numRequiredSignatures()) {
            throw new ChainDecodeException("message requires " + m.numRequiredSignatures()
                    + " signatures but the transaction carries " + n);
        }
        return new Transaction(sigs, m);
    }

    /** True when every required signer's signature verifies over the message bytes. */
    public boolean verifySignatures() {
        if (signatures.size() != message.numRequiredSignatures()) return false;
        return verifySignatures(message.serialize());
    }

    /** As {@link #verifySignatures()} over message bytes already at hand (the local chain keeps the received ones). */
    public boolean verifySignatures(byte[] messageBytes) {
        if (signatures.size() != message.numRequiredSignatures()) return false;
        byte[] bytes = messageBytes;
        for (int i = 0; i < signatures.size(); i++) {
            if (!Ed25519.verify(message.accountKeys().get(i), bytes, signatures.get(i))) return false;
        }
        return true;
    }

    public String describe() { return message.describe(); }

    @Override public boolean equals(Object o) {
        if (!(o instanceof Transaction t) || !message.equals(t.message) || signatures.size() != t.signatures.size()) return false;
        for (int i = 0; i < signatures.size(); i++) if (!Arrays.equals(signatures.get(i), t.signatures.get(i))) return false;
        return true;
    }

    @Override public int hashCode() {
        int h = message.hashCode();
        for (byte[] s : signatures) h = 31 * h + Arrays.hashCode(s);
        return h;
    }

    @Override public String toString() {
        return "Transaction[" + (signatures.isEmpty() ? "unsigned" : signature()) + ", " + message.instructions().size() + " instructions]";
    }
}
