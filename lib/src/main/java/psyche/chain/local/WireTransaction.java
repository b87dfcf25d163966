package psyche.chain.local;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import psyche.coordinator.Pubkey;

/**
 * A Solana legacy transaction as it travels on the wire: signatures, then the signed message (header, account
 * keys, recent blockhash, compiled instructions). Versioned (v0) messages are recognised and refused.
 */
public final class WireTransaction {
    /** Solana's packet limit: a serialized transaction is at most this many bytes. */
    public static final int MAX_SIZE = 1232;

    /** One instruction with its program and accounts as indexes into the account keys. */
    public record CompiledInstruction(int programIdIndex, int[] accountIndexes, byte[] data) {}

    private final byte[] bytes;
    private final List<byte[]> signatures;
    private final byte[] message;
    private final int numRequiredSignatures;
    private final int numReadonlySigned;
    private final int numReadonlyUnsigned;
    private final List<Pubkey> accountKeys;
    private final byte[] recentBlockhash;
    private final List<CompiledInstruction> instructions;

    private WireTransaction(byte[] bytes, List<byte[]> signatures, byte[] message, int numRequiredSignatures,
                            int numReadonlySigned, int numReadonlyUnsigned, List<Pubkey> accountKeys,
                            byte[] recentBlockhash, List<CompiledInstruction> instructions) {
        this.bytes = bytes;
        this.signatures = signatures;
        this.message = message;
        this.numRequiredSignatures = numRequiredSignatures;
        this.numReadonlySigned = numReadonlySigned;
        this.numReadonlyUnsigned = numReadonlyUnsigned;
        this.accountKeys = accountKeys;
        this.recentBlockhash = recentBlockhash;
        this.instructions = instructions;
    }

    /** Parses a serialized transaction; throws {@link MalformedTransactionException} naming the offending part. */
    public static WireTransaction parse(byte[] bytes) {
        if (bytes.length > MAX_SIZE) {
            throw new MalformedTransactionException("transaction is " + bytes.length + " bytes, Solana allows at most " + MAX_SIZE);
        }
        Reader in = new Reader(bytes);
        int sigCount = in.compactU16("signature count");
        List<byte[]> signatures = new ArrayList<>(sigCount);
        for (int i = 0; i < sigCount; i++) signatures.add(in.bytes(64, "signature " + i));
        int messageStart = in.pos;
        byte[] message = Arrays.copyOfRange(bytes, messageStart, bytes.length);
        Message parsed = parseMessage(message);
        if (parsed.numRequiredSignatures != sigCount) {
            throw new MalformedTransactionException("message requires " + parsed.numRequiredSignatures
                    + " signatures but the transaction carries " + sigCount);
        }
        return new WireTransaction(bytes.clone(), Collections.unmodifiableList(signatures), message,
                parsed.numRequiredSignatures, parsed.numReadonlySigned, parsed.numReadonlyUnsigned, parsed.keys,
                parsed.blockhash, parsed.instructions);
    }

    private record Message(int numRequiredSignatures, int numReadonlySigned, int numReadonlyUnsigned, List<Pubkey> keys,
                           byte[] blockhash, List<CompiledInstruction> instructions) {}

    /** Parses a serialized message alone (getFeeForMessage). */
    public static int requiredSignatures(byte[] message) { return parseMessage(message).numRequiredSignatures; }

    private static Message parseMessage(byte[] message) {
        Reader in = new Reader(message);
        int first = in.u8("message header");
        if ((first & 0x80) != 0) {
            throw new MalformedTransactionException("versioned message (v" + (first & 0x7f) + ") is not supported by the "
                    + "local chain: build a legacy transaction (no address lookup tables)");
        }
        int numRequired = first;
        int readonlySigned = in.u8("message header");
        int readonlyUnsigned = in.u8("message header");
        int keyCount = in.compactU16("account key count");
        List<Pubkey> keys = new ArrayList<>(keyCount);
        Set<Pubkey> seen = new HashSet<>();
        for (int i = 0; i < keyCount; i++) {
            Pubkey key = Pubkey.of(in.bytes(32, "account key " + i));
            if (!seen.add(key)) throw new MalformedTransactionException("account key " + key + " appears twice (AccountLoadedTwice)");
            keys.add(key);
        }
        if (numRequired == 0 || numRequired > keyCount || readonlySigned >= numRequired
                || readonlyUnsigned > keyCount - numRequired) {
            throw new MalformedTransactionException("message header (" + numRequired + ", " + readonlySigned + ", "
                    + readonlyUnsigned + ") does not fit " + keyCount + " account keys: the fee payer must be a writable signer");
        }
        byte[] blockhash = in.bytes(32, "recent blockhash");
        int ixCount = in.compactU16("instruction count");
        List<CompiledInstruction> instructions = new ArrayList<>(ixCount);
        for (int i = 0; i < ixCount; i++) {
            int program = in.u8("instruction " + i + " program index");
            if (program >= keyCount || program == 0) {
                throw new MalformedTransactionException("instruction " + i + " names program index " + program + " of " + keyCount + " keys");
            }
            int accountCount = in.compactU16("instruction " + i + " account count");
            int[] accounts = new int[accountCount];
            for (int a = 0; a < accountCount; a++) {
                accounts[a] = in.u8("instruction " + i + " account index");
                if (accounts[a] >= keyCount) {
                    throw new MalformedTransactionException("instruction " + i + " names account index " + accounts[a] + " of " + keyCount + " keys");
                }
            }
            int dataLength = in.compactU16("instruction " + i + " data length");
            instructions.add(new CompiledInstruction(program, accounts, in.bytes(dataLength, "instruction " + i + " data")));
        }
        if (in.pos != message.length) {
            throw new MalformedTransactionException((message.length - in.pos) + " trailing bytes after the message");
        }
        return new Message(numRequired, readonlySigned, readonlyUnsigned, Collections.unmodifiableList(keys), blockhash,
                Collections.unmodifiableList(instructions));
    }

    /** True when every signature verifies against its signer key over the message. */
    public boolean verifySignatures() {
        for (int i = 0; i < signatures.size(); i++) {
            if (!Ed25519.verify(accountKeys.get(i), message, signatures.get(i))) return false;
        }
        return true;
    }

    public byte[] bytes() { return bytes.clone(); }
    public byte[] message() { return message.clone(); }
    public List<byte[]> signatures() { return signatures; }
    /** The first signature: the transaction's id. */
    public byte[] signature() { return signatures.get(0).clone(); }
    public List<Pubkey> accountKeys() { return accountKeys; }
    public byte[] recentBlockhash() { return recentBlockhash.clone(); }
    public List<CompiledInstruction> instructions() { return instructions; }
    public int numRequiredSignatures() { return numRequiredSignatures; }
    public int numReadonlySigned() { return numReadonlySigned; }
    public int numReadonlyUnsigned() { return numReadonlyUnsigned; }
    public Pubkey feePayer() { return accountKeys.get(0); }

    public boolean isSigner(int index) { return index < numRequiredSignatures; }

    public boolean isWritable(int index) {
        if (index < numRequiredSignatures) return index < numRequiredSignatures - numReadonlySigned;
        return index < accountKeys.size() - numReadonlyUnsigned;
    }

    /** Appends Solana's compact-u16 (1 to 3 bytes, 7 bits each, little end first). */
    public static void writeCompactU16(ByteArrayOutputStream out, int value) {
        int rest = value;
        while (true) {
            int low = rest & 0x7f;
            rest >>>= 7;
            if (rest == 0) { out.write(low); return; }
            out.write(low | 0x80);
        }
    }

    private static final class Reader {
        final byte[] data;
        int pos;

        Reader(byte[] data) { this.data = data; }

        int u8(String what) {
            if (pos >= data.length) throw truncated(what);
            return data[pos++] & 0xff;
        }

        byte[] bytes(int n, String what) {
            if (pos + n > data.length) throw truncated(what);
            byte[] out = Arrays.copyOfRange(data, pos, pos + n);
            pos += n;
            return out;
        }

        int compactU16(String what) {
            int value = 0;
            for (int i = 0; i < 3; i++) {
                int b = u8(what);
                value |= (b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0) {
                    if (i > 0 && b == 0) throw new MalformedTransactionException(what + ": compact-u16 not minimally encoded");
                    if (value > 0xffff) throw new MalformedTransactionException(what + ": compact-u16 overflows");
                    return value;
                }
            }
            throw new MalformedTransactionException(what + ": compact-u16 longer than 3 bytes");
        }

        MalformedTransactionException truncated(String what) {
            return new MalformedTransactionException("transaction ends inside " + what + " (at byte " + pos + " of " + data.length + ")");
        }
    }
}
