package psyche.train.distro;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per-tile top-k on coefficients read back from the engine: order, ties, NaN, offsets, clamping. */
class DistroCodec_TopKTest {
    @Test void largestMagnitudesFirstTiesByIndexNanLargest() {
        float[] tile = {3f, -7f, 7f, 0f, Float.NaN, 1f};
        CompressedTensor c = DistroCodec.compress(tile, 0, new long[] {1, 6}, 3);
        assertArrayEquals(new int[] {4, 1, 2}, c.indices());
        assertEquals(Float.NaN, c.values()[0]);
        assertArrayEquals(new float[] {-7f, 7f}, Arrays.copyOfRange(c.values(), 1, 3));
    }

    @Test void zeroTileTakesTheFirstIndicesAndKIsClamped() {
        CompressedTensor zeros = DistroCodec.compress(new float[8], 0, new long[] {2, 4}, 2);
        assertArrayEquals(new int[] {0, 1, 0, 1}, zeros.indices());
        CompressedTensor small = DistroCodec.compress(new float[] {1f, -2f, 0.5f}, 0, new long[] {1, 3}, 8);
        assertEquals(3, small.k());
        assertArrayEquals(new int[] {1, 0, 2}, small.indices());
    }

    @Test void agreesWithSortingEveryTileFromAnOffset() {
        Random r = new Random(11);
        int from = 5, tiles = 6, c1 = 4, c2 = 7, k = 5;
        float[] data = new float[from + tiles * c1 * c2];
        for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
        CompressedTensor c = DistroCodec.compress(data, from, new long[] {3, 2, c1, c2}, k);
        assertEquals(tiles * k, c.indices().length);
        for (int t = 0; t < tiles; t++) {
            int base = from + t * c1 * c2;
            int[] want = IntStream.range(0, c1 * c2).boxed()
                    .sorted(Comparator.comparingDouble((Integer j) -> -Math.abs(data[base + j]))).limit(k)
                    .mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, Arrays.copyOfRange(c.indices(), t * k, t * k + k), "tile " + t);
            for (int e = 0; e < k; e++) assertEquals(data[base + want[e]], c.values()[t * k + e]);
        }
    }
}
