package psyche.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The one on-curve test (PDAs must be off the curve) against its references. Solana decides with curve25519-dalek's
 * {@code CompressedEdwardsY::decompress().is_some()} ({@code solana_pubkey::bytes_are_curve_point}): the field element
 * is built from the low 255 bits without a canonicity check, and the sign bit only conditionally negates x. So y ≥ p
 * and x = 0 with the sign bit set both count as points there, while BouncyCastle's RFC 8032 decoding refuses them.
 * Away from those edges (and small-order points, which BouncyCastle's key validation also refuses) our answer must be
 * BouncyCastle's.
 */
class Ed25519_IsOnCurveTest {
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

    private static byte[] encode(BigInteger y, boolean signBit) {
        byte[] le = new byte[32];
        byte[] be = y.toByteArray();
        for (int i = 0; i < be.length && i < 32; i++) le[i] = be[be.length - 1 - i];
        if (signBit) le[31] |= (byte) 0x80;
        return le;
    }

    /** BouncyCastle's RFC 8032 point decoding, as it validates a public key (rejecting small-order points too). */
    private static boolean bouncyCastleDecodes(byte[] b) {
        return org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartial(b, 0);
    }

    @Test void yAtOrAbovePIsReducedAsDalekDoesWhereRfc8032Refuses() {
        // y = p encodes y = 0: x² = -1, a square mod p; y = p + 1 encodes y = 1 (x = 0, the neutral element)
        for (int k = 0; k < 19; k++) {
            BigInteger y = P.add(BigInteger.valueOf(k));
            boolean reducedIsPoint = Ed25519.isOnCurve(encode(BigInteger.valueOf(k), false));
            assertEquals(reducedIsPoint, Ed25519.isOnCurve(encode(y, false)), "y = p + " + k);
            assertEquals(reducedIsPoint, Ed25519.isOnCurve(encode(y, true)), "y = p + " + k + ", sign bit set");
            assertFalse(bouncyCastleDecodes(encode(y, false)), "RFC 8032 refuses the non-canonical y = p + " + k);
        }
        assertTrue(Ed25519.isOnCurve(encode(P, false)));
        assertTrue(Ed25519.isOnCurve(encode(P.add(BigInteger.ONE), false)));
        // 2^255 - 1 = p + 18: y = 18 is no point (the value Solana's own PDA tests cannot hit by hashing)
        assertEquals(Ed25519.isOnCurve(encode(BigInteger.valueOf(18), false)), Ed25519.isOnCurve(encode(P.add(BigInteger.valueOf(18)), false)));
    }

    @Test void xZeroWithTheSignBitSetIsStillAPointAsDalekDecides() {
        // y = 1 and y = p - 1 give x = 0; dalek negates 0 and accepts, RFC 8032 (§5.1.3 step 4) refuses
        assertTrue(Ed25519.isOnCurve(encode(BigInteger.ONE, true)));
        assertTrue(Ed25519.isOnCurve(encode(P.subtract(BigInteger.ONE), true)));
        assertTrue(Ed25519.isOnCurve(encode(BigInteger.ONE, false)));
        assertFalse(bouncyCastleDecodes(encode(BigInteger.ONE, true)));
    }

    @Test void agreesWithBouncyCastleWhereRfc8032AndDalekAgree() {
        Random random = new Random(19);
        int points = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[32];
            random.nextBytes(b);
            boolean bc = bouncyCastleDecodes(b);
            if (bc) points++;
            // random bytes: canonical y with overwhelming probability, never small order, x = 0 never
            assertEquals(bc, Ed25519.isOnCurve(b), java.util.HexFormat.of().formatHex(b));
        }
        assertTrue(points > 800 && points < 1200, "about half of all y are points: " + points);
    }

    @Test void realKeysAreOnAndDerivedAddressesOff() {
        try (Keypair k = Keypair.generate()) {
            assertTrue(Ed25519.isOnCurve(k.publicKey().bytes()));
        }
        assertFalse(Ed25519.isOnCurve(Pdas.mainnet().coordinatorInstance("edge").address().bytes()));
    }
}
