package psyche.chain.local;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.List;

import psyche.coordinator.Pubkey;

/**
 * The ed25519 operations the local chain needs, on the JDK's own provider: signature checks, signing (the faucet),
 * the on-curve test behind program-derived addresses.
 */
public final class Ed25519 {
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger D = BigInteger.valueOf(-121665)
            .multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final BigInteger LEGENDRE_EXP = P.subtract(BigInteger.ONE).shiftRight(1);
    private static final byte[] PDA_MARKER = "ProgramDerivedAddress".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final ThreadLocal<KeyFactory> KEY_FACTORY = ThreadLocal.withInitial(() -> {
        try { return KeyFactory.getInstance("Ed25519"); } catch (NoSuchAlgorithmException e) { throw new IllegalStateException(e); }
    });
    private static final ThreadLocal<Signature> VERIFIER = ThreadLocal.withInitial(() -> {
        try { return Signature.getInstance("Ed25519"); } catch (NoSuchAlgorithmException e) { throw new IllegalStateException(e); }
    });
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try { return MessageDigest.getInstance("SHA-256"); } catch (NoSuchAlgorithmException e) { throw new IllegalStateException(e); }
    });

    private Ed25519() {}

    /** True when {@code signature} (64 B) is {@code key}'s signature of {@code message}; false for any malformed input. */
    public static boolean verify(Pubkey key, byte[] message, byte[] signature) {
        if (signature.length != 64) return false;
        try {
            Signature verifier = VERIFIER.get();
            verifier.initVerify(KEY_FACTORY.get().generatePublic(toSpec(key.bytes())));
            verifier.update(message);
            return verifier.verify(signature);
        } catch (Exception invalidKeyOrSignature) {
            return false;
        }
    }

    private static EdECPublicKeySpec toSpec(byte[] encoded) {
        byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++) bigEndian[i] = encoded[31 - i];
        boolean xOdd = (bigEndian[0] & 0x80) != 0;
        bigEndian[0] &= 0x7f;
        return new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, bigEndian)));
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

    public static byte[] sha256(byte[]... parts) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        for (byte[] part : parts) digest.update(part);
        return digest.digest();
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
        byte[] hash = sha256(parts.toArray(new byte[0][]));
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
        private final PrivateKey privateKey;

        private Signer(byte[] seed) {
            this.seed = seed.clone();
            try {
                KeyFactory factory = KeyFactory.getInstance("Ed25519");
                this.privateKey = factory.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
                // derive the public key by signing nothing: the JDK has no direct derivation, so round-trip a generator
                this.publicKey = derivePublic(seed);
            } catch (Exception e) {
                throw new IllegalStateException("cannot build an ed25519 key from its seed", e);
            }
        }

        public static Signer fromSeed(byte[] seed) {
            if (seed.length != 32) throw new IllegalArgumentException("an ed25519 seed is 32 bytes");
            return new Signer(seed);
        }

        public static Signer generate() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
                EdECPrivateKey key = (EdECPrivateKey) generator.generateKeyPair().getPrivate();
                return new Signer(key.getBytes().orElseThrow());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        public Pubkey publicKey() { return publicKey; }

        byte[] seed() { return seed.clone(); }

        public byte[] sign(byte[] message) {
            try {
                Signature signer = Signature.getInstance("Ed25519");
                signer.initSign(privateKey);
                signer.update(message);
                return signer.sign();
            } catch (Exception e) {
                throw new IllegalStateException("ed25519 signing failed", e);
            }
        }

        @Override public String toString() { return "Signer[" + publicKey + "]"; }
    }

    /** Public key of a seed: the JDK derives it only inside a generator seeded to return exactly this seed. */
    private static Pubkey derivePublic(byte[] seed) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
        EdECPublicKey key = (EdECPublicKey) generator.generateKeyPair().getPublic();
        EdECPoint point = key.getPoint();
        byte[] y = point.getY().toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < y.length && i < 32; i++) out[i] = y[y.length - 1 - i];
        if (point.isXOdd()) out[31] |= (byte) 0x80;
        return Pubkey.of(out);
    }

    /** A SecureRandom that yields one fixed seed: how the JDK's generator is told which key to make. */
    private static final class FixedSeed extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;
        FixedSeed(byte[] seed) { this.seed = seed.clone(); }
        @Override public void nextBytes(byte[] bytes) { System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length)); }
    }
}
