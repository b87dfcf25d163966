package psyche.coordinator;

import java.math.BigInteger;
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
        byte[] decoded = base58Decode(text.trim());
        if (decoded.length != 32) {
            throw new IllegalArgumentException("'" + text + "' is not a public key: base58 gives " + decoded.length
                    + " bytes, a key has 32");
        }
        return new Pubkey(decoded);
    }

    public byte[] bytes() { return bytes.clone(); }

    public String toBase58() { return base58Encode(bytes); }

    @Override public String toString() { return toBase58(); }

    @Override public boolean equals(Object o) { return o instanceof Pubkey p && Arrays.equals(bytes, p.bytes); }

    @Override public int hashCode() { return Arrays.hashCode(bytes); }

    @Override public int compareTo(Pubkey o) { return Arrays.compareUnsigned(bytes, o.bytes); }

    public static String base58Encode(byte[] input) {
        int zeros = 0;
        while (zeros < input.length && input[zeros] == 0) zeros++;
        StringBuilder sb = new StringBuilder();
        BigInteger value = new BigInteger(1, input);
        BigInteger base = BigInteger.valueOf(58);
        while (value.signum() > 0) {
            BigInteger[] qr = value.divideAndRemainder(base);
            sb.append(ALPHABET.charAt(qr[1].intValue()));
            value = qr[0];
        }
        for (int i = 0; i < zeros; i++) sb.append('1');
        return sb.reverse().toString();
    }

    public static byte[] base58Decode(String input) {
        BigInteger value = BigInteger.ZERO;
        BigInteger base = BigInteger.valueOf(58);
        int zeros = 0;
        while (zeros < input.length() && input.charAt(zeros) == '1') zeros++;
        for (int i = 0; i < input.length(); i++) {
            int digit = ALPHABET.indexOf(input.charAt(i));
            if (digit < 0) {
                throw new IllegalArgumentException("'" + input.charAt(i) + "' at position " + i + " is not a base58 character");
            }
            value = value.multiply(base).add(BigInteger.valueOf(digit));
        }
        byte[] magnitude = value.signum() == 0 ? new byte[0] : value.toByteArray();
        int start = magnitude.length > 0 && magnitude[0] == 0 ? 1 : 0;
        byte[] out = new byte[zeros + magnitude.length - start];
        System.arraycopy(magnitude, start, out, zeros, magnitude.length - start);
        return out;
    }
}
