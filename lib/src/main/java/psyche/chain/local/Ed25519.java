package psyche.chain.local;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;

/**
 * The ed25519 operations the local chain needs (BouncyCastle's RFC 8032 code): signature checks, signing (the faucet),
 * the on-curve test behind program-derived addresses.
 */
public final class Ed25519 {
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger D = BigInteger.valueOf(-121665)
            .multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final BigInteger LEGENDRE_EXP = P.subtract(BigInteger.ONE).shiftRight(1);
    private static final byte[] PDA_MARKER = "ProgramDerivedAddress".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Ed25519() {}

    /** Decoded public keys of recent signers: fee payers sign again and again, and decoding is a square root. */
    private static final int KEY_CACHE_LIMIT = 4096;
    private static final java.util.concurrent.ConcurrentHashMap<Pubkey, org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint>
            DECODED_KEYS = new java.util.concurrent.ConcurrentHashMap<>();

    /** True when {@code signature} (64 B) is {@code key}'s signature of {@code message}; false for any malformed input. */
    public static boolean verify(Pubkey key, byte[] message, byte[] signature) {
        if (signature.length != 64) return false;
        try {
            // BouncyCastle's RFC 8032 code: about 20x faster than the JDK 17 provider, which bounds transactions/s.
            // The key is checked and decoded once (the same checks verify(byte[] key) makes on every call).
            org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point = DECODED_KEYS.get(key);
            if (point == null) {
                point = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(key.bytes(), 0);
                if (point == null) return false; // not a valid curve point (or a small-order one)
                if (DECODED_KEYS.size() >= KEY_CACHE_LIMIT) DECODED_KEYS.clear();
                DECODED_KEYS.put(key, point);
            }
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, point, message, 0, message.length);
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    /** Whether 32 bytes decompress to a point of the curve (program-derived addresses must not). */
    public static boolean isOnCurve(byte[] encoded) {
        byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++) bigEndian[i] = encoded[31 - i];
        bigEndian[0] &= 0x7f;
        BigInteger y = new BigInteger(1, bigEndian).mod(P);
        BigInteger y2 = y.multiply(y).mod(P);
        BigInteger u = y2.subtract(BigInteger.ONE).mod(P);
        BigInteger v = D.multiply(y2).add(BigInteger.ONE).mod(P);
        BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
        if (x2.signum() == 0) return true;
        return x2.modPow(LEGENDRE_EXP, P).equals(BigInteger.ONE);
    }

    /** Solana's create_program_address: sha256(seeds, program, "ProgramDerivedAddress"), rejected when on the curve. */
    public static Pubkey createProgramAddress(List<byte[]> seeds, Pubkey program) {
        if (seeds.size() > 16) throw new IllegalArgumentException("at most 16 seeds, got " + seeds.size());
        List<byte[]> parts = new ArrayList<>(seeds.size() + 2);
        for (byte[] seed : seeds) {
            if (seed.length > 32) throw new IllegalArgumentException("a seed is at most 32 bytes, got " + seed.length);
            parts.add(seed);
        }
        parts.add(program.bytes());
        parts.add(PDA_MARKER);
        byte[] hash = Hashing.sha256(parts.toArray(new byte[0][]));
        if (isOnCurve(hash)) throw new IllegalArgumentException("seeds give an address on the ed25519 curve");
        return Pubkey.of(hash);
    }

    /** A program-derived address and its bump seed. */
    public record ProgramAddress(Pubkey address, int bump) {}

    /** Solana's find_program_address: the first bump from 255 down whose address is off the curve. */
    public static ProgramAddress findProgramAddress(List<byte[]> seeds, Pubkey program) {
        for (int bump = 255; bump >= 0; bump--) {
            List<byte[]> withBump = new ArrayList<>(seeds);
            withBump.add(new byte[] {(byte) bump});
            try {
                return new ProgramAddress(createProgramAddress(withBump, program), bump);
            } catch (IllegalArgumentException onCurve) {
                // try the next bump, as Solana does
            }
        }
        throw new IllegalStateException("no off-curve program address for these seeds");
    }

    /** An ed25519 key pair held by the local chain itself (its faucet). The secret never leaves this object. */
    public static final class Signer {
        private final byte[] seed;
        private final Pubkey publicKey;

        private Signer(byte[] seed) {
            this.seed = seed.clone();
            byte[] pk = new byte[32];
            org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(this.seed, 0, pk, 0);
            this.publicKey = Pubkey.of(pk);
        }

        public static Signer fromSeed(byte[] seed) {
            if (seed.length != 32) throw new IllegalArgumentException("an ed25519 seed is 32 bytes");
            return new Signer(seed);
        }

        public static Signer generate() {
            byte[] seed = new byte[32];
            new java.security.SecureRandom().nextBytes(seed);
            return new Signer(seed);
        }

        public Pubkey publicKey() { return publicKey; }

        byte[] seed() { return seed.clone(); }

        public byte[] sign(byte[] message) {
            byte[] signature = new byte[64];
            org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, message, 0, message.length, signature, 0);
            return signature;
        }

        @Override public String toString() { return "Signer[" + publicKey + "]"; }
    }
}
