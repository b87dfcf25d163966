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
    private final long[] pivots = new long[ROUNDS];
    // sources[bucket][round] = sha256(seed ‖ round ‖ u32le(bucket)); bucket = position / 256
    private final byte[][][] sources;

    public SwapOrNot(byte[] seed32, long indexCount) {
        if (seed32.length != 32) throw new IllegalArgumentException("a shuffle seed is 32 bytes, got " + seed32.length);
        if (indexCount <= 0) throw new IllegalArgumentException("cannot shuffle " + indexCount + " items");
        this.seed = seed32.clone();
        this.count = indexCount;
        for (int r = 0; r < ROUNDS; r++) {
            byte[] h = Hashing.sha256(seed, new byte[] {(byte) r});
            pivots[r] = Long.remainderUnsigned(Hashing.readU64le(h, 0), count);
        }
        if (indexCount > (1L << 20)) throw new IllegalArgumentException("shuffles of more than 2^20 items are not supported");
        sources = new byte[(int) ((indexCount + 255) / 256)][][];
        for (int bucket = 0; bucket < sources.length; bucket++) {
            byte[] b = Arrays.copyOf(Hashing.u64le(bucket), 4);
            sources[bucket] = new byte[ROUNDS][];
            for (int r = 0; r < ROUNDS; r++) sources[bucket][r] = Hashing.sha256(seed, new byte[] {(byte) r}, b);
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
        long cur = index;
        for (int r = 0; r < ROUNDS; r++) {
            long flip = (pivots[r] + count - cur) % count;
            long position = Math.max(cur, flip);
            byte[] source = source((int) (position / 256), r);
            int bit = (source[(int) ((position % 256) / 8)] >> (int) (position % 8)) & 1;
            if (bit == 1) cur = flip;
        }
        return cur;
    }

    private byte[] source(int bucket, int round) { return sources[bucket][round]; }
}
