package psyche.coordinator;

/**
 * Operations on {@link WitnessBloom} ({@code shared/core/src/bloom.rs}): for each of the 8 keys, bit
 * {@code fnv1a64_with_key(key, item) mod 1024} (bit i = word i/64, bit i%64, bitvec Lsb0 order).
 */
public final class Blooms {
    private Blooms() {}

    public static final int BITS = WitnessBloom.WORDS * 64;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** FNV-1a 64 whose initial state is {@code key} (Rust {@code FnvHasher::with_key}). */
    public static long fnv64(long key, byte[] data) {
        long h = key;
        for (byte b : data) {
            h ^= (b & 0xFF);
            h *= FNV_PRIME;
        }
        return h;
    }

    /** An empty bloom with the given 8 keys. */
    public static WitnessBloom empty(long[] keys) { return new WitnessBloom(keys, new long[WitnessBloom.WORDS]); }

    /** An empty bloom whose 8 keys come from {@code seed} (clients draw them at random; a seed keeps it reproducible). */
    public static WitnessBloom emptySeeded(long seed) {
        long[] keys = new long[WitnessBloom.KEYS];
        long x = seed;
        for (int i = 0; i < keys.length; i++) {
            x += 0x9E3779B97F4A7C15L; // splitmix64
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            keys[i] = z ^ (z >>> 31);
        }
        return empty(keys);
    }

    /** A copy of {@code bloom} with {@code items} added. */
    public static WitnessBloom add(WitnessBloom bloom, byte[]... items) {
        long[] bits = bloom.bits();
        for (byte[] item : items) {
            for (int k = 0; k < WitnessBloom.KEYS; k++) {
                int pos = (int) Long.remainderUnsigned(fnv64(bloom.key(k), item), BITS);
                bits[pos >>> 6] |= 1L << (pos & 63);
            }
        }
        return new WitnessBloom(bloom.keys(), bits);
    }

    public static boolean contains(WitnessBloom bloom, byte[] item) {
        for (int k = 0; k < WitnessBloom.KEYS; k++) {
            int pos = (int) Long.remainderUnsigned(fnv64(bloom.key(k), item), BITS);
            if ((bloom.word(pos >>> 6) & (1L << (pos & 63))) == 0) return false;
        }
        return true;
    }

    /** What a witness puts in its participant bloom for a peer: {@code sha256(signer)}. */
    public static byte[] participantItem(NodeIdentity id) { return Hashing.sha256(id.signer().bytes()); }
}
