package psyche.coordinator;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SwapOrNot_ShuffleTest {
    private static byte[] salted(String salt) {
        return Hashing.sha256(Hashing.sha256(Hashing.u64le(12345)), salt.getBytes(StandardCharsets.US_ASCII));
    }

    /** Expected values from an independent Python transcription of swap_or_not.rs (hashlib). */
    @Test void knownAnswersForSeed12345() {
        long[] committee = {83, 58, 32, 29, 76, 82, 21, 88, 14, 56};
        long[] witness = {58, 86, 21, 7, 69, 31, 63, 29, 11, 88};
        SwapOrNot c = new SwapOrNot(salted("committee"), 100);
        SwapOrNot w = new SwapOrNot(salted("witness"), 100);
        for (int i = 0; i < 10; i++) {
            assertEquals(committee[i], c.shuffledIndex(i), "committee " + i);
            assertEquals(witness[i], w.shuffledIndex(i), "witness " + i);
        }
    }

    @Test void knownAnswersAcrossSourceBuckets() {
        SwapOrNot w = new SwapOrNot(salted("witness"), 300);
        assertEquals(226, w.shuffledIndex(0));
        assertEquals(5, w.shuffledIndex(1));
        assertEquals(252, w.shuffledIndex(255));
        assertEquals(15, w.shuffledIndex(256));
        assertEquals(297, w.shuffledIndex(299));
        assertEquals(297, SwapOrNot.computeShuffledIndex(299, 300, salted("witness")));
    }

    @Test void isAPermutation() {
        SwapOrNot s = new SwapOrNot(salted("committee"), 256);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 256; i++) seen.add(s.shuffledIndex(i));
        assertEquals(256, seen.size());
    }

    @Test void rejectsOutOfRangeIndexAndBadSeed() {
        SwapOrNot s = new SwapOrNot(salted("committee"), 10);
        assertThrows(IllegalArgumentException.class, () -> s.shuffledIndex(10));
        assertThrows(IllegalArgumentException.class, () -> new SwapOrNot(new byte[31], 10));
        assertThrows(IllegalArgumentException.class, () -> new SwapOrNot(new byte[32], 0));
    }

    @Test void onChainSeedIsLittleEndianSha() {
        assertEquals(Long.parseUnsignedLong("12327558011139139227"), Hashing.onChainRandomSeed(1_700_000_000L, 250_000_000L));
    }
}
