package psyche.coordinator;

import java.util.Arrays;

/** Psyche's 1024-bit bloom filter with 8 keys: {@code keys [u64;8]}, {@code bits [u64;16]}. Immutable. */
public final class WitnessBloom {
    public static final int KEYS = 8;
    public static final int WORDS = 16;
    public static final WitnessBloom EMPTY = new WitnessBloom(new long[KEYS], new long[WORDS]);

    private final long[] keys;
    private final long[] bits;

    public WitnessBloom(long[] keys, long[] bits) {
        if (keys.length != KEYS || bits.length != WORDS) {
            throw new IllegalArgumentException("bloom needs 8 keys and 16 words, got " + keys.length + " and " + bits.length);
        }
        this.keys = keys.clone();
        this.bits = bits.clone();
    }

    public long[] keys() { return keys.clone(); }

    public long[] bits() { return bits.clone(); }

    public long key(int i) { return keys[i]; }

    public long word(int i) { return bits[i]; }

    @Override public boolean equals(Object o) {
        return o instanceof WitnessBloom b && Arrays.equals(keys, b.keys) && Arrays.equals(bits, b.bits);
    }

    @Override public int hashCode() { return 31 * Arrays.hashCode(keys) + Arrays.hashCode(bits); }

    @Override public String toString() { return "WitnessBloom[" + Long.bitCount(Arrays.stream(bits).reduce(0, (a, b) -> a | b)) + "+ bits]"; }
}
