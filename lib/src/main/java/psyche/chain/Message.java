package psyche.chain;

import psyche.coordinator.Pubkey;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A legacy Solana message: header, account keys (signer-writable, signer-readonly, non-signer-writable,
 * non-signer-readonly; fee payer first; otherwise in order of first use, as the Rust SDK does), recent blockhash,
 * compiled instructions. {@link #serialize()} gives the exact bytes signers sign.
 */
public record Message(int numRequiredSignatures, int numReadonlySigned, int numReadonlyUnsigned,
                      List<Pubkey> accountKeys, byte[] recentBlockhash, List<CompiledInstruction> instructions) {

    /** An instruction with program and accounts as indexes into {@link #accountKeys}. */
    public record CompiledInstruction(int programIdIndex, int[] accountIndexes, byte[] data) {
        public CompiledInstruction {
            accountIndexes = accountIndexes.clone();
            data = data.clone();
        }
        public CompiledInstruction(int programIdIndex, List<Integer> accountIndexes, byte[] data) {
            this(programIdIndex, accountIndexes.stream().mapToInt(Integer::intValue).toArray(), data);
        }
        /** The indexes; a copy (the hot path of the local chain reads them through {@link #accountIndex}). */
        @Override public int[] accountIndexes() { return accountIndexes.clone(); }
        public int accountCount() { return accountIndexes.length; }
        public int accountIndex(int i) { return accountIndexes[i]; }
        @Override public byte[] data() { return data.clone(); }
        @Override public boolean equals(Object o) {
            return o instanceof CompiledInstruction c && programIdIndex == c.programIdIndex
                    && Arrays.equals(accountIndexes, c.accountIndexes) && Arrays.equals(data, c.data);
        }
        @Override public int hashCode() { return Objects.hash(programIdIndex, Arrays.hashCode(accountIndexes), Arrays.hashCode(data)); }
    }

    public Message {
        accountKeys = List.copyOf(accountKeys);
        instructions = List.copyOf(instructions);
        if (recentBlockhash == null || recentBlockhash.length != 32) throw new IllegalArgumentException("a blockhash is 32 bytes");
        recentBlockhash = recentBlockhash.clone();
        if (numRequiredSignatures > accountKeys.size() || numReadonlySigned > numRequiredSignatures
                || numReadonlyUnsigned > accountKeys.size() - numRequiredSignatures) {
            throw new IllegalArgumentException("message header (" + numRequiredSignatures + ", " + numReadonlySigned
                    + ", " + numReadonlyUnsigned + ") does not fit " + accountKeys.size() + " account keys");
        }
    }

    @Override public byte[] recentBlockhash() { return recentBlockhash.clone(); }

    public String recentBlockhashBase58() { return Pubkey.base58Encode(recentBlockhash); }

    /** Compiles instructions for {@code feePayer}; {@code recentBlockhash} is base58 as RPC returns it. */
    public static Message compile(Pubkey feePayer, List<Instruction> instructions, String recentBlockhash) {
        return compile(feePayer, instructions, Pubkey.base58Decode(recentBlockhash));
    }

    public static Message compile(Pubkey feePayer, List<Instruction> instructions, byte[] recentBlockhash) {
        // merge flags per key in order of first appearance: payer, then each instruction's metas, then its program
        Map<Pubkey, boolean[]> flags = new LinkedHashMap<>();
        flags.put(feePayer, new boolean[]{true, true});
        for (Instruction ix : instructions) {
            for (AccountMeta m : ix.accounts()) {
                boolean[] f = flags.computeIfAbsent(m.pubkey(), k -> new boolean[2]);
                f[0] |= m.signer();
                f[1] |= m.writable();
            }
            flags.computeIfAbsent(ix.programId(), k -> new boolean[2]);
        }
        List<Pubkey> keys = new ArrayList<>();
        int[] counts = new int[4];
        for (int group = 0; group < 4; group++) {
            boolean signer = group < 2, writable = group % 2 == 0;
            for (Map.Entry<Pubkey, boolean[]> e : flags.entrySet()) {
                if (e.getValue()[0] == signer && e.getValue()[1] == writable) {
                    keys.add(e.getKey());
                    counts[group]++;
                }
            }
        }
        if (keys.size() > 256) throw new IllegalArgumentException("a legacy message holds at most 256 account keys, got " + keys.size());
        List<CompiledInstruction> compiled = new ArrayList<>();
        for (Instruction ix : instructions) {
            List<Integer> idx = new ArrayList<>();
            for (AccountMeta m : ix.accounts()) idx.add(keys.indexOf(m.pubkey()));
            compiled.add(new CompiledInstruction(keys.indexOf(ix.programId()), idx, ix.data()));
        }
        return new Message(counts[0] + counts[1], counts[1], counts[3], keys, recentBlockhash, compiled);
    }

    public Pubkey feePayer() { return accountKeys.get(0); }

    public boolean isSigner(int index) { return index < numRequiredSignatures; }

    public boolean isWritable(int index) {
        if (index < numRequiredSignatures) return index < numRequiredSignatures - numReadonlySigned;
        return index < accountKeys.size() - numReadonlyUnsigned;
    }

    public List<Pubkey> signers() { return accountKeys.subList(0, numRequiredSignatures); }

    /** The instructions with keys and flags restored. */
    public List<Instruction> decompile() {
        List<Instruction> out = new ArrayList<>();
        for (CompiledInstruction c : instructions) {
            List<AccountMeta> metas = new ArrayList<>();
            for (int i : c.accountIndexes()) metas.add(new AccountMeta(accountKeys.get(i), isSigner(i), isWritable(i)));
            out.add(new Instruction(accountKeys.get(c.programIdIndex()), metas, c.data()));
        }
        return out;
    }

    /** Wire bytes: header, compact-u16 keys, blockhash, compact-u16 instructions. */
    public byte[] serialize() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(numRequiredSignatures);
        out.write(numReadonlySigned);
        out.write(numReadonlyUnsigned);
        ShortVec.write(out, accountKeys.size());
        for (Pubkey k : accountKeys) out.writeBytes(k.bytes());
        out.writeBytes(recentBlockhash);
        ShortVec.write(out, instructions.size());
        for (CompiledInstruction c : instructions) {
            out.write(c.programIdIndex());
            ShortVec.write(out, c.accountCount());
            for (int a = 0; a < c.accountCount(); a++) out.write(c.accountIndex(a));
            byte[] d = c.data();
            ShortVec.write(out, d.length);
            out.writeBytes(d);
        }
        return out.toByteArray();
    }

    /** Parses a serialized message alone (getFeeForMessage); trailing bytes are refused. */
    public static Message parse(byte[] message) {
        int[] pos = {0};
        Message m = parse(message, pos);
        if (pos[0] != message.length) throw new ChainDecodeException((message.length - pos[0]) + " trailing bytes after the message");
        return m;
    }

    /**
     * Parses message bytes starting at {@code pos[0]}; advances it. Refuses what Solana's sanitize refuses: versioned
     * messages, a header that does not fit the keys, a key listed twice, indexes beyond the keys, the fee payer as
     * program. Errors name the part and the byte.
     */
    static Message parse(byte[] b, int[] pos) {
        int first = u8(b, pos, "message header");
        if ((first & 0x80) != 0) {
            throw new ChainDecodeException("versioned message (v" + (first & 0x7f) + ") is not supported: build a legacy"
                    + " transaction (no address lookup tables)");
        }
        int numRequired = first;
        int readonlySigned = u8(b, pos, "message header");
        int readonlyUnsigned = u8(b, pos, "message header");
        int keyCount = ShortVec.read(b, pos, "account key count");
        List<Pubkey> keys = new ArrayList<>(keyCount);
        java.util.Set<Pubkey> seen = new java.util.HashSet<>();
        for (int i = 0; i < keyCount; i++) {
            Pubkey key = Pubkey.of(take(b, pos, 32, "account key " + i));
            if (!seen.add(key)) throw new ChainDecodeException("account key " + key + " appears twice (AccountLoadedTwice)");
            keys.add(key);
        }
        if (numRequired == 0 || numRequired > keyCount || readonlySigned >= numRequired
                || readonlyUnsigned > keyCount - numRequired) {
            throw new ChainDecodeException("message header (" + numRequired + ", " + readonlySigned + ", "
                    + readonlyUnsigned + ") does not fit " + keyCount + " account keys: the fee payer must be a writable signer");
        }
        byte[] blockhash = take(b, pos, 32, "recent blockhash");
        int ixCount = ShortVec.read(b, pos, "instruction count");
        List<CompiledInstruction> ixs = new ArrayList<>(ixCount);
        for (int i = 0; i < ixCount; i++) {
            int program = u8(b, pos, "instruction " + i + " program index");
            if (program >= keyCount || program == 0) {
                throw new ChainDecodeException("instruction " + i + " names program index " + program + " of " + keyCount + " keys");
            }
            int accountCount = ShortVec.read(b, pos, "instruction " + i + " account count");
            int[] accounts = new int[accountCount];
            for (int a = 0; a < accountCount; a++) {
                accounts[a] = u8(b, pos, "instruction " + i + " account index");
                if (accounts[a] >= keyCount) {
                    throw new ChainDecodeException("instruction " + i + " names account index " + accounts[a] + " of " + keyCount + " keys");
                }
            }
            int dataLength = ShortVec.read(b, pos, "instruction " + i + " data length");
            ixs.add(new CompiledInstruction(program, accounts, take(b, pos, dataLength, "instruction " + i + " data")));
        }
        return new Message(numRequired, readonlySigned, readonlyUnsigned, keys, blockhash, ixs);
    }

    private static int u8(byte[] b, int[] pos, String what) {
        if (pos[0] >= b.length) throw truncated(b, pos, what);
        return b[pos[0]++] & 0xff;
    }

    private static byte[] take(byte[] b, int[] pos, int n, String what) {
        if (n > b.length - pos[0]) throw truncated(b, pos, what);
        byte[] out = Arrays.copyOfRange(b, pos[0], pos[0] + n);
        pos[0] += n;
        return out;
    }

    private static ChainDecodeException truncated(byte[] b, int[] pos, String what) {
        return new ChainDecodeException("transaction ends inside " + what + " (at byte " + pos[0] + " of " + b.length + ")");
    }

    /**
     * Human-readable summary for review before signing: fee payer, signers, every account with flags, and each
     * instruction's program and decoded arguments (or its raw data when it is not one this project knows).
     */
    public String describe(ProgramIds ids) {
        StringBuilder sb = new StringBuilder();
        sb.append("fee payer: ").append(feePayer()).append('\n');
        sb.append("signers: ").append(signers()).append('\n');
        sb.append("accounts:\n");
        for (int i = 0; i < accountKeys.size(); i++) {
            sb.append(String.format("  [%d] %-44s %s%s%n", i, accountKeys.get(i), isSigner(i) ? "signer " : "",
                    isWritable(i) ? "writable" : "readonly"));
        }
        sb.append("recent blockhash: ").append(recentBlockhashBase58()).append('\n');
        Instructions decoder = new Instructions(ids);
        List<Instruction> ixs = decompile();
        for (int i = 0; i < ixs.size(); i++) {
            Instruction ix = ixs.get(i);
            sb.append("instruction ").append(i).append(": program ").append(ix.programId());
            try {
                DecodedInstruction d = decoder.decode(ix);
                sb.append(" (").append(d.program()).append(")\n  ").append(d.name()).append(' ').append(d.args()).append('\n');
            } catch (ChainDecodeException e) {
                sb.append("\n  (not decoded: ").append(e.getMessage()).append(") data=").append(Borsh.hex(ix.data())).append('\n');
            }
            for (AccountMeta m : ix.accounts()) sb.append("    ").append(m.flags()).append(' ').append(m.pubkey()).append('\n');
        }
        return sb.toString();
    }

    public String describe() { return describe(ProgramIds.MAINNET); }

    @Override public boolean equals(Object o) {
        return o instanceof Message m && numRequiredSignatures == m.numRequiredSignatures
                && numReadonlySigned == m.numReadonlySigned && numReadonlyUnsigned == m.numReadonlyUnsigned
                && accountKeys.equals(m.accountKeys) && Arrays.equals(recentBlockhash, m.recentBlockhash)
                && instructions.equals(m.instructions);
    }

    @Override public int hashCode() {
        return Objects.hash(numRequiredSignatures, numReadonlySigned, numReadonlyUnsigned, accountKeys,
                Arrays.hashCode(recentBlockhash), instructions);
    }
}
