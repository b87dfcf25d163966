package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import psyche.chain.Ed25519;
import psyche.chain.Keypair;
import psyche.chain.Pdas;
import psyche.coordinator.Pubkey;

/**
 * Signature checks with decoded keys kept between calls give exactly BouncyCastle's answer for the raw key bytes,
 * first time and cached, for good signatures, tampered ones, and keys that are no valid point.
 */
class Ed25519_VerifyTest {
    private static boolean reference(Pubkey key, byte[] message, byte[] signature) {
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, key.bytes(), 0, message, 0, message.length);
    }

    @Property(tries = 200) void sameAnswerAsVerifyingRawKeyBytes(@ForAll long seed, @ForAll byte[] message) {
        Random random = new Random(seed);
        byte[] seedBytes = new byte[32];
        random.nextBytes(seedBytes);
        Keypair signer = Keypair.fromSeed(seedBytes);
        byte[] signature = signer.sign(message);
        byte[] tampered = signature.clone();
        tampered[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
        byte[] randomKey = new byte[32];
        random.nextBytes(randomKey);
        for (int pass = 0; pass < 2; pass++) { // the second pass hits the decoded-key cache
            assertTrue(Ed25519.verify(signer.publicKey(), message, signature));
            assertEquals(reference(signer.publicKey(), message, tampered), Ed25519.verify(signer.publicKey(), message, tampered));
            assertEquals(reference(Pubkey.of(randomKey), message, signature), Ed25519.verify(Pubkey.of(randomKey), message, signature));
        }
    }

    @Test void keysThatAreNoUsablePointNeverVerify() {
        byte[] message = "m".getBytes();
        byte[] signature = Keypair.generate().sign(message);
        // a program-derived address is off the curve by construction
        Pubkey pda = Pdas.find(Pubkey.SYSTEM, java.util.List.of("seed".getBytes())).address();
        byte[] identity = new byte[32];
        identity[0] = 1; // the neutral element: small order, rejected
        for (int pass = 0; pass < 2; pass++) {
            assertFalse(Ed25519.verify(pda, message, signature));
            assertFalse(Ed25519.verify(Pubkey.of(identity), message, signature));
            assertFalse(Ed25519.verify(Pubkey.SYSTEM, message, signature));
        }
        assertFalse(Ed25519.verify(Pubkey.SYSTEM, message, new byte[63]));
    }
}
