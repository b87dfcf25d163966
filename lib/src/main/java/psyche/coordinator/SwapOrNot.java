package psyche.coordinator;

import java.util.Arrays;

/**
 * The swap-or-not shuffle of Ethereum consensus {@code compute_shuffled_index} with 90 rounds, as in Psyche's
 * {@code shared/core/src/swap_or_not.rs}. A {@link SwapOrNot} instance precomputes the per-round pivots and the
 * source hashes for one (seed, count) so that shuffling many indices costs no further hashing.
 */
public final class SwapOrNot {
    public static final int ROUNDS = 90;

    private final long count;
    private final byte[] seed;
    private final int[] pivots = new int[ROUNDS];
    private final int[] memo; // shuffled index + 1 per index, 0 = not computed yet
    // sources at ((bucket * ROUNDS + round) * 32): sha256(seed ‖ round ‖ u32le(bucket)), bucket = position / 256
    private final byte[] sources;

    public SwapOrNot(byte[] seed32, long indexCount) {
        if (seed32.length != 32) throw new IllegalArgumentException("a shuffle seed is 32 bytes, got " + seed32.length);
        if (indexCount <= 0) throw new IllegalArgumentException("cannot shuffle " + indexCount + " items");
        this.seed = seed32.clone();
        this.count = indexCount;
        if (indexCount > (1L << 20)) throw new IllegalArgumentException("shuffles of more than 2^20 items are not supported");
        for (int r = 0; r < ROUNDS; r++) {
            byte[] h = Hashing.sha256(seed, new byte[] {(byte) r});
            pivots[r] = (int) Long.remainderUnsigned(Hashing.readU64le(h, 0), count);
        }
        memo = new int[(int) indexCount];
        int buckets = (int) ((indexCount + 255) / 256);
        sources = new byte[buckets * ROUNDS * 32];
        for (int bucket = 0; bucket < buckets; bucket++) {
            byte[] b = Arrays.copyOf(Hashing.u64le(bucket), 4);
            for (int r = 0; r < ROUNDS; r++) {
                System.arraycopy(Hashing.sha256(seed, new byte[] {(byte) r}, b), 0, sources, (bucket * ROUNDS + r) * 32, 32);
            }
        }
    }

    /** One-shot form of {@link #shuffledIndex(long)}. */
    public static long computeShuffledIndex(long index, long indexCount, byte[] seed32) {
        return new SwapOrNot(seed32, indexCount).shuffledIndex(index);
    }

    public long count() { return count; }

    public long shuffledIndex(long index) {
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("index " + index + " is outside 0.." + (count - 1));
        }
        int i = (int) index;
        int known = memo[i];
        if (known != 0) return known - 1;
        int n = (int) count;
        int cur = i;
        for (int r = 0; r < ROUNDS; r++) {
            int flip = pivots[r] + n - cur; // pivot < n and cur < n, so one subtraction replaces "% n"
            if (flip >= n) flip -= n;
            int position = Math.max(cur, flip);
            byte b = sources[(((position >>> 8) * ROUNDS + r) << 5) + ((position & 0xFF) >>> 3)];
            if (((b >> (position & 7)) & 1) == 1) cur = flip;
        }
        memo[i] = cur + 1; // racing writers store the same value
        return cur;
    }
}
