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

    /** Tiles far larger than a skimmed block, with ties, infinities and NaN placed late: as sorting (torch.topk's order). */
    @Test void largeTilesWithTiesInfinitiesAndNanAgreeWithSorting() {
        Random r = new Random(12);
        int c1 = 64, c2 = 44, totalk = c1 * c2, k = 8, from = 3;
        float[] data = new float[from + 4 * totalk];
        for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
        int t1 = from + totalk, t2 = from + 2 * totalk, t3 = from + 3 * totalk;
        for (int j = 0; j < totalk; j++) data[t1 + j] = (j % 3 == 0 ? -0.5f : 0.5f);          // every magnitude tied
        data[t1 + 2500] = 0.75f;                                                             // one above them, late
        data[t2 + 100] = Float.NEGATIVE_INFINITY;
        data[t2 + 1500] = Float.POSITIVE_INFINITY;
        data[t2 + 2000] = Float.NaN;
        data[t2 + totalk - 1] = Float.NaN;                                                     // in the unskimmed tail
        for (int j = 0; j < totalk; j++) data[t3 + j] = j == 2800 ? -3f : 0f;                // zeros, one value at the end
        CompressedTensor c = DistroCodec.compress(data, from, new long[] {2, 2, c1, c2}, k);
        for (int t = 0; t < 4; t++) {
            int base = from + t * totalk;
            int[] want = IntStream.range(0, totalk).boxed()
                    .sorted(Comparator.comparing((Integer j) -> !Float.isNaN(data[base + j]))
                            .thenComparingDouble(j -> -Math.abs(data[base + j])).thenComparingInt(j -> j))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, Arrays.copyOfRange(c.indices(), t * k, t * k + k), "tile " + t);
        }
        assertArrayEquals(new int[] {2500, 0, 1, 2, 3, 4, 5, 6}, Arrays.copyOfRange(c.indices(), k, 2 * k));
        assertArrayEquals(new int[] {2000, totalk - 1, 100, 1500}, Arrays.copyOfRange(c.indices(), 2 * k, 2 * k + 4));
        assertArrayEquals(new int[] {2800, 0, 1, 2, 3, 4, 5, 6}, Arrays.copyOfRange(c.indices(), 3 * k, 4 * k));
    }
}
