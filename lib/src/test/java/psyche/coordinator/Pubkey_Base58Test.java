package psyche.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Base58 (Bitcoin alphabet, as Solana uses it) against a plain BigInteger reference and known Solana strings. */
class Pubkey_Base58Test {
    private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /** The textbook definition: the value in base 58, one '1' per leading zero byte. */
    static String referenceEncode(byte[] input) {
        int zeros = 0;
        while (zeros < input.length && input[zeros] == 0) zeros++;
        StringBuilder sb = new StringBuilder();
        BigInteger value = new BigInteger(1, input);
        while (value.signum() > 0) {
            BigInteger[] qr = value.divideAndRemainder(BigInteger.valueOf(58));
            sb.append(ALPHABET.charAt(qr[1].intValue()));
            value = qr[0];
        }
        return "1".repeat(zeros) + sb.reverse();
    }

    static byte[] referenceDecode(String input) {
        BigInteger value = BigInteger.ZERO;
        int zeros = 0;
        while (zeros < input.length() && input.charAt(zeros) == '1') zeros++;
        for (int i = 0; i < input.length(); i++) value = value.multiply(BigInteger.valueOf(58)).add(BigInteger.valueOf(ALPHABET.indexOf(input.charAt(i))));
        byte[] magnitude = value.signum() == 0 ? new byte[0] : value.toByteArray();
        int start = magnitude.length > 0 && magnitude[0] == 0 ? 1 : 0;
        byte[] out = new byte[zeros + magnitude.length - start];
        System.arraycopy(magnitude, start, out, zeros, magnitude.length - start);
        return out;
    }

    @Provide Arbitrary<byte[]> bytesWithLeadingZeros() {
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(100);
        return body.flatMap(b -> Arbitraries.integers().between(0, 4).map(z -> {
            byte[] out = new byte[z + b.length];
            System.arraycopy(b, 0, out, z, b.length);
            return out;
        }));
    }

    @Provide Arbitrary<String> base58Strings() {
        return Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMinLength(0).ofMaxLength(140);
    }

    @Property(tries = 2000) void encodeMatchesTheReferenceAndDecodesBack(@ForAll("bytesWithLeadingZeros") byte[] bytes) {
        String encoded = Pubkey.base58Encode(bytes);
        assertEquals(referenceEncode(bytes), encoded);
        assertArrayEquals(bytes, Pubkey.base58Decode(encoded));
    }

    @Property(tries = 2000) void decodeMatchesTheReference(@ForAll("base58Strings") String text) {
        assertArrayEquals(referenceDecode(text), Pubkey.base58Decode(text));
    }

    @Test void knownSolanaValues() {
        assertEquals("11111111111111111111111111111111", Pubkey.base58Encode(new byte[32]));
        assertEquals("", Pubkey.base58Encode(new byte[0]));
        assertArrayEquals(new byte[0], Pubkey.base58Decode(""));
        assertArrayEquals(new byte[] {0, 0}, Pubkey.base58Decode("11"));
        byte[] ff = new byte[32];
        java.util.Arrays.fill(ff, (byte) 0xff);
        assertEquals("JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG", Pubkey.base58Encode(ff));
        // the token program id decodes to 32 bytes and back
        Pubkey token = Pubkey.fromBase58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
        assertEquals("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", token.toBase58());
    }

    @Test void invalidCharactersAreNamedWithTheirPosition() {
        var e = assertThrows(IllegalArgumentException.class, () -> Pubkey.base58Decode("abc0def"));
        assertEquals("'0' at position 3 is not a base58 character", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pubkey.base58Decode("abcé"));
        assertThrows(IllegalArgumentException.class, () -> Pubkey.base58Decode("I"));
    }
}
