package psyche.train.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChaCha8Rng_ShuffleTest {
    @Test void twentyRoundsGiveTheKnownZeroKeyKeystream() {
        // ChaCha20, all-zero key and nonce, blocks 0 and 1 (RFC 7539 / rand_chacha test_chacha_true_values_a)
        ChaCha8Rng rng = new ChaCha8Rng(new byte[32], 20);
        int[] want0 = {0xade0b876, 0x903df1a0, 0xe56a5d40, 0x28bd8653, 0xb819d2bd, 0x1aed8da0, 0xccef36a8, 0xc70d778b,
                0x7c5941da, 0x8d485751, 0x3fe02477, 0x374ad8b8, 0xf4b8436a, 0x1ca11815, 0x69b687c3, 0x8665eeb2};
        int[] got = new int[16];
        for (int i = 0; i < 16; i++) got[i] = rng.nextInt();
        assertArrayEquals(want0, got);
        assertEquals(0xbee7079f, rng.nextInt(), "first word of block 1: the counter advanced");
    }

    @Test void nextBelowStaysInRangeAndCoversIt() {
        ChaCha8Rng rng = new ChaCha8Rng(new byte[32]);
        boolean[] seen = new boolean[7];
        for (int i = 0; i < 1000; i++) {
            int v = rng.nextBelow(7);
            assertTrue(v >= 0 && v < 7);
            seen[v] = true;
        }
        for (boolean s : seen) assertTrue(s);
    }

    @Test void shuffleIsADeterministicPermutation() {
        byte[] seed = new byte[32];
        seed[0] = 42;
        long[] a = new long[1000], b = new long[1000];
        for (int i = 0; i < a.length; i++) a[i] = b[i] = i;
        new ChaCha8Rng(seed).shuffle(a);
        new ChaCha8Rng(seed).shuffle(b);
        assertArrayEquals(a, b, "same seed, same order");
        long[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
        assertFalse(Arrays.equals(a, sorted), "order changed");
        seed[0] = 43;
        long[] c = sorted.clone();
        new ChaCha8Rng(seed).shuffle(c);
        assertFalse(Arrays.equals(a, c), "another seed, another order");
    }
}
