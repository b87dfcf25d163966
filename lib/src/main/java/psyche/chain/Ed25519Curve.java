package psyche.chain;

import java.math.BigInteger;

/**
 * Whether 32 bytes are a valid compressed ed25519 point (RFC 8032 §5.1.3 decompression). Program-derived addresses
 * must not be, so that no private key can sign for them.
 */
final class Ed25519Curve {
    private Ed25519Curve() {}

    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger D = BigInteger.valueOf(-121665)
            .multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final BigInteger SQRT_M1 = BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);

    static boolean isOnCurve(byte[] compressed) {
        byte[] le = compressed.clone();
        int sign = (le[31] >> 7) & 1;
        le[31] &= 0x7f;
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) be[i] = le[31 - i];
        BigInteger y = new BigInteger(1, be);
        if (y.compareTo(P) >= 0) return false;
        BigInteger y2 = y.multiply(y).mod(P);
        BigInteger u = y2.subtract(BigInteger.ONE).mod(P);
        BigInteger v = D.multiply(y2).add(BigInteger.ONE).mod(P);
        // candidate root x = u v^3 (u v^7)^((p-5)/8)
        BigInteger v3 = v.modPow(BigInteger.valueOf(3), P);
        BigInteger v7 = v.modPow(BigInteger.valueOf(7), P);
        BigInteger x = u.multiply(v3).multiply(u.multiply(v7).mod(P)
                .modPow(P.subtract(BigInteger.valueOf(5)).shiftRight(3), P)).mod(P);
        BigInteger vx2 = v.multiply(x).multiply(x).mod(P);
        if (vx2.equals(u)) {
            // root found
        } else if (vx2.equals(u.negate().mod(P))) {
            x = x.multiply(SQRT_M1).mod(P);
        } else {
            return false;
        }
        return !(x.signum() == 0 && sign == 1);
    }
}
