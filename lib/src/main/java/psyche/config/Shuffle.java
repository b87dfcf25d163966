package psyche.config;

import java.util.Arrays;
import java.util.HexFormat;

/** Data shuffle of an Http location: {@code "DontShuffle"} or {@code {Seeded = [32 u8]}}. */
public sealed interface Shuffle {
    int tag();

    record DontShuffle() implements Shuffle { public int tag() { return 0; } }

    /** A 32-byte seed; the array is copied in and out so the value stays immutable. */
    record Seeded(byte[] seed) implements Shuffle {
        public Seeded {
            if (seed == null || seed.length != 32) {
                throw new IllegalArgumentException("Seeded shuffle needs exactly 32 bytes, got "
                        + (seed == null ? "none" : seed.length));
            }
            seed = seed.clone();
        }

        @Override public byte[] seed() { return seed.clone(); }
        public int tag() { return 1; }
        @Override public boolean equals(Object o) { return o instanceof Seeded s && Arrays.equals(seed, s.seed); }
        @Override public int hashCode() { return Arrays.hashCode(seed); }
        @Override public String toString() { return "Seeded[" + HexFormat.of().formatHex(seed) + "]"; }
    }
}
