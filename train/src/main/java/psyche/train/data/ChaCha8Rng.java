package psyche.train.data;

/**
 * The ChaCha stream cipher used as a random generator, word for word like Rust's {@code rand_chacha 0.3}
 * {@code ChaCha8Rng::from_seed}: 32-byte key, 64-bit block counter from 0, stream 0, output words in order.
 * {@link #shuffle} is {@code rand 0.8.5}'s {@code SliceRandom::shuffle}, which Psyche applies to sequence pointers.
 */
public final class ChaCha8Rng {
    private final int[] state = new int[16];
    private final int[] block = new int[16];
    private final int rounds;
    private int next = 16;

    public ChaCha8Rng(byte[] seed) { this(seed, 8); }

    /** {@code rounds} = 8, 12 or 20 (20 gives the published ChaCha20 test vectors). */
    public ChaCha8Rng(byte[] seed, int rounds) {
        if (seed.length != 32) throw new IllegalArgumentException("ChaCha seed must be 32 bytes, got " + seed.length);
        this.rounds = rounds;
        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            state[4 + i] = (seed[4 * i] & 0xFF) | (seed[4 * i + 1] & 0xFF) << 8 | (seed[4 * i + 2] & 0xFF) << 16
                    | (seed[4 * i + 3] & 0xFF) << 24;
        }
        // state[12..13] = 64-bit block counter, state[14..15] = stream id: all zero
    }

    public int nextInt() {
        if (next == 16) refill();
        return block[next++];
    }

    private void refill() {
        int[] x = state.clone();
        for (int i = 0; i < rounds; i += 2) {
            quarter(x, 0, 4, 8, 12);
            quarter(x, 1, 5, 9, 13);
            quarter(x, 2, 6, 10, 14);
            quarter(x, 3, 7, 11, 15);
            quarter(x, 0, 5, 10, 15);
            quarter(x, 1, 6, 11, 12);
            quarter(x, 2, 7, 8, 13);
            quarter(x, 3, 4, 9, 14);
        }
        for (int i = 0; i < 16; i++) block[i] = x[i] + state[i];
        if (++state[12] == 0) state[13]++;
        next = 0;
    }

    private static void quarter(int[] x, int a, int b, int c, int d) {
        x[a] += x[b]; x[d] = Integer.rotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d]; x[b] = Integer.rotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b]; x[d] = Integer.rotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d]; x[b] = Integer.rotateLeft(x[b] ^ x[c], 7);
    }

    /** {@code rand 0.8.5} {@code gen_range(0..bound)} for u32: widening multiply with a rejection zone. */
    public int nextBelow(int bound) {
        long range = Integer.toUnsignedLong(bound);
        int zone = (int) ((range << Integer.numberOfLeadingZeros(bound)) - 1);
        while (true) {
            long v = Integer.toUnsignedLong(nextInt());
            long product = v * range;
            int hi = (int) (product >>> 32);
            int lo = (int) product;
            if (Integer.compareUnsigned(lo, zone) <= 0) return hi;
        }
    }

    /** Fisher-Yates from the end, {@code swap(i, gen_index(i + 1))} for i = n-1 .. 1. */
    public <T> void shuffle(java.util.List<T> list) {
        for (int i = list.size() - 1; i >= 1; i--) java.util.Collections.swap(list, i, nextBelow(i + 1));
    }

    public void shuffle(long[] a) {
        for (int i = a.length - 1; i >= 1; i--) {
            int j = nextBelow(i + 1);
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
