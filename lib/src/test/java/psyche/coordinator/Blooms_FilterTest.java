package psyche.coordinator;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class Blooms_FilterTest {
    @Test void fnvWithTheStandardOffsetBasisIsFnv1a64() {
        // published FNV-1a 64 test vector: "a" → 0xaf63dc4c8601ec8c
        assertEquals(0xaf63dc4c8601ec8cL, Blooms.fnv64(0xcbf29ce484222325L, "a".getBytes(StandardCharsets.US_ASCII)));
    }

    /** Expected words from an independent Python transcription of bloom.rs. */
    @Test void knownBitsForKeys1To8() {
        byte[] item = new byte[32];
        for (int i = 0; i < 32; i++) item[i] = (byte) i;
        byte[] h = Hashing.sha256(item);
        WitnessBloom b = Blooms.add(Blooms.empty(new long[] {1, 2, 3, 4, 5, 6, 7, 8}), h);
        long[] expected = new long[16];
        expected[3] = 0x2000000L;
        expected[8] = 0x800000000000000L;
        expected[9] = 0x800000004000L;
        expected[10] = 0x200000L;
        expected[11] = 0x10L;
        expected[14] = 0x10000000000L;
        expected[15] = 0x4000000000000L;
        assertArrayEquals(expected, b.bits());
        assertTrue(Blooms.contains(b, h));
        assertFalse(Blooms.contains(b, item));
        assertFalse(Blooms.contains(Blooms.empty(new long[8]), h));
    }

    @Test void addKeepsTheOriginalUnchanged() {
        WitnessBloom empty = Blooms.emptySeeded(3);
        WitnessBloom one = Blooms.add(empty, new byte[] {1});
        assertFalse(Blooms.contains(empty, new byte[] {1}));
        assertTrue(Blooms.contains(one, new byte[] {1}));
        assertArrayEquals(empty.keys(), one.keys());
    }
}
