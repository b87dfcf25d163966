package psyche.coordinator;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 and little-endian helpers shared by committee selection, blooms and seeds. */
public final class Hashing {
    private Hashing() {}

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    });

    /** sha256 of the concatenation of the parts (Psyche's {@code sha256v}). */
    public static byte[] sha256(byte[]... parts) {
        MessageDigest md = SHA256.get();
        md.reset();
        for (byte[] p : parts) md.update(p);
        return md.digest();
    }

    public static byte[] u64le(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    public static long readU64le(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xFFL);
        return v;
    }

    /**
     * The on-chain random seed: u64 LE of the first 8 bytes of {@code sha256(unix_timestamp i64 LE ‖ slot u64 LE)}
     * ({@code instance_state.rs::get_random_seed}; Solana is little-endian so {@code to_ne_bytes} is LE).
     */
    public static long onChainRandomSeed(long unixTimestamp, long slot) {
        return readU64le(sha256(u64le(unixTimestamp), u64le(slot)), 0);
    }

    /**
     * A round seed from logical time, for a local chain run reproducibly: the on-chain formula with the clock's
     * (unix_timestamp, slot) replaced by (base, epoch &lt;&lt; 40 ^ step &lt;&lt; 8 ^ phase), so it depends only on where the
     * run is: its epoch, step and run state ({@code phase}, the {@link RunState} ordinal; Warmup and RoundWitness of
     * step 1 both start a round, and must not share a seed). Not what a real validator computes;
     * {@link #onChainRandomSeed} is.
     */
    public static long logicalRoundSeed(long base, long epoch, long step, RunState phase) {
        return onChainRandomSeed(base, (epoch << 40) ^ (step << 8) ^ phase.ordinal());
    }
}
