package psyche.chain;

import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.math.ec.rfc7748.X25519Field;

import psyche.coordinator.Pubkey;

/**
 * The ed25519 checks Solana makes, for the RPC client and the local chain alike (BouncyCastle's RFC 7748/8032 code):
 * signature verification and the on-curve test behind program-derived addresses. Signing is {@link Keypair}'s.
 */
public final class Ed25519 {
    private Ed25519() {}

    /** d = -121665/121666, the curve constant (RFC 8032 §5.1). */
    private static final int[] D = curveD();

    private static int[] curveD() {
        int[] num = X25519Field.create(), den = X25519Field.create(), d = X25519Field.create();
        X25519Field.zero(num);
        X25519Field.zero(den);
        X25519Field.decode(littleEndian(121665), 0, num);
        X25519Field.decode(littleEndian(121666), 0, den);
        X25519Field.negate(num, num);
        X25519Field.inv(den, den);
        X25519Field.mul(num, den, d);
        X25519Field.normalize(d);
        return d;
    }

    private static byte[] littleEndian(int v) {
        byte[] b = new byte[32];
        for (int i = 0; i < 4; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    /**
     * Whether 32 bytes decompress to a curve point the way Solana's {@code bytes_are_curve_point} decides it
     * (curve25519-dalek's {@code CompressedEdwardsY::decompress}): y is the low 255 bits taken modulo p, so an
     * encoding with y &ge; p is not refused, and the sign bit only picks between x and -x, so x = 0 with the sign bit
     * set is a point too. RFC 8032's strict decoding refuses both; a PDA must be off the curve in Solana's sense.
     */
    public static boolean isOnCurve(byte[] compressed) {
        if (compressed.length != 32) throw new IllegalArgumentException("a compressed point is 32 bytes, got " + compressed.length);
        int[] y = X25519Field.create(), u = X25519Field.create(), v = X25519Field.create(), x = X25519Field.create();
        X25519Field.decode(compressed, 0, y); // the low 255 bits; field arithmetic reduces them modulo p
        X25519Field.sqr(y, u);
        X25519Field.mul(D, u, v);
        X25519Field.subOne(u);              // u = y² - 1
        X25519Field.addOne(v);              // v = d·y² + 1 (never 0: -1/d is not a square)
        X25519Field.normalize(u);
        X25519Field.normalize(v);
        return X25519Field.sqrtRatioVar(u, v, x);
    }

    /** Decoded public keys of recent signers: fee payers sign again and again, and decoding is a square root. */
    private static final int KEY_CACHE_LIMIT = 4096;
    private static final ConcurrentHashMap<Pubkey, org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint> DECODED_KEYS =
            new ConcurrentHashMap<>();

    /** True when {@code signature} (64 B) is {@code key}'s signature of {@code message}; false for any malformed input. */
    public static boolean verify(Pubkey key, byte[] message, byte[] signature) {
        if (signature == null || signature.length != 64) return false;
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
}
