package psyche.coordinator;

import java.util.Arrays;

/** A 32-byte ed25519 public key (a Solana address), shown in base58. Immutable. */
public final class Pubkey implements Comparable<Pubkey> {
    private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    /** {@code 11111111111111111111111111111111}: the system program, and the "everyone" grantee of an authorization. */
    public static final Pubkey SYSTEM = new Pubkey(new byte[32]);

    private final byte[] bytes;

    private Pubkey(byte[] bytes) { this.bytes = bytes; }

    public static Pubkey of(byte[] bytes) {
        if (bytes == null || bytes.length != 32) {
            throw new IllegalArgumentException("a public key is 32 bytes, got " + (bytes == null ? "none" : bytes.length));
        }
        return new Pubkey(bytes.clone());
    }

    /** Reads 32 bytes at {@code offset}. */
    public static Pubkey of(byte[] data, int offset) {
        return new Pubkey(Arrays.copyOfRange(data, offset, offset + 32));
    }

    public static Pubkey fromBase58(String text) {
        String t = text.trim();
        // a secret key pasted here must not be echoed into an error, a log or a terminal
        String secretHint = "where a public key is expected; it is not shown here. Pass the public key instead "
                + "(`run-manager keygen pubkey FILE` prints a keypair file's)";
        if (t.startsWith("[")) throw new IllegalArgumentException("a keypair's JSON byte array was given " + secretHint);
        byte[] decoded;
        try {
            decoded = base58Decode(t);
        } catch (IllegalArgumentException notBase58) {
            throw new IllegalArgumentException((t.length() <= 44 ? "'" + t + "'" : "a " + t.length() + "-character value")
                    + " is not a public key: " + notBase58.getMessage());
        }
        if (decoded.length == 64) throw new IllegalArgumentException("a 64-byte secret key was given " + secretHint);
        if (decoded.length != 32) {
            throw new IllegalArgumentException((t.length() <= 44 ? "'" + t + "'" : "a " + t.length() + "-character value")
                    + " is not a public key: base58 gives " + decoded.length + " bytes, a key has 32");
        }
        return new Pubkey(decoded);
    }

    public byte[] bytes() { return bytes.clone(); }

    public String toBase58() { return base58Encode(bytes); }

    @Override public String toString() { return toBase58(); }

    @Override public boolean equals(Object o) { return o instanceof Pubkey p && Arrays.equals(bytes, p.bytes); }

    @Override public int hashCode() { return Arrays.hashCode(bytes); }

    @Override public int compareTo(Pubkey o) { return Arrays.compareUnsigned(bytes, o.bytes); }

    // Base58 works on 32-bit limbs, five digits per step (58^5 < 2^32): an order of magnitude faster than BigInteger
    // division, which matters because every RPC call encodes or decodes signatures and keys.
    private static final long BASE58_5 = 58L * 58 * 58 * 58 * 58;
    private static final int[] BASE58_DIGIT = new int[128];

    static {
        Arrays.fill(BASE58_DIGIT, -1);
        for (int i = 0; i < ALPHABET.length(); i++) BASE58_DIGIT[ALPHABET.charAt(i)] = i;
    }

    public static String base58Encode(byte[] input) {
        int zeros = 0;
        while (zeros < input.length && input[zeros] == 0) zeros++;
        int n = input.length - zeros;
        int[] limbs = new int[(n + 3) / 4]; // big-endian 32-bit limbs of the value
        for (int i = 0; i < n; i++) {
            int fromEnd = n - 1 - i;
            limbs[limbs.length - 1 - fromEnd / 4] |= (input[input.length - 1 - fromEnd] & 0xff) << (8 * (fromEnd % 4));
        }
        char[] out = new char[zeros + n * 138 / 100 + 6];
        int pos = out.length;
        int first = 0; // index of the most significant nonzero limb
        while (first < limbs.length) {
            long rem = 0;
            for (int i = first; i < limbs.length; i++) {
                long cur = (rem << 32) | (limbs[i] & 0xffffffffL);
                limbs[i] = (int) (cur / BASE58_5);
                rem = cur % BASE58_5;
            }
            while (first < limbs.length && limbs[first] == 0) first++;
            for (int k = 0; k < 5; k++) {
                out[--pos] = ALPHABET.charAt((int) (rem % 58));
                rem /= 58;
            }
        }
        while (pos < out.length && out[pos] == '1') pos++; // the last group's padding: no leading zero digits
        for (int i = 0; i < zeros; i++) out[--pos] = '1';
        return new String(out, pos, out.length - pos);
    }

    public static byte[] base58Decode(String input) {
        int zeros = 0;
        while (zeros < input.length() && input.charAt(zeros) == '1') zeros++;
        int[] limbs = new int[input.length() * 733 / 4000 + 2]; // little-endian 32-bit limbs; log(58)/log(256) < 0.733
        int used = 0;
        int i = 0;
        while (i < input.length()) {
            int group = Math.min(5, input.length() - i);
            long multiplier = 1;
            long chunk = 0;
            for (int k = 0; k < group; k++, i++) {
                char c = input.charAt(i);
                int digit = c < 128 ? BASE58_DIGIT[c] : -1;
                if (digit < 0) throw new IllegalArgumentException("'" + c + "' at position " + i + " is not a base58 character");
                chunk = chunk * 58 + digit;
                multiplier *= 58;
            }
            long carry = chunk;
            for (int j = 0; j < used; j++) {
                long cur = (limbs[j] & 0xffffffffL) * multiplier + carry;
                limbs[j] = (int) cur;
                carry = cur >>> 32;
            }
            if (carry != 0) limbs[used++] = (int) carry;
        }
        int bytes = used * 4;
        while (bytes > 0 && (limbs[(bytes - 1) / 4] >>> (8 * ((bytes - 1) % 4)) & 0xff) == 0) bytes--;
        byte[] out = new byte[zeros + bytes];
        for (int k = 0; k < bytes; k++) out[out.length - 1 - k] = (byte) (limbs[k / 4] >>> (8 * (k % 4)));
        return out;
    }
}
