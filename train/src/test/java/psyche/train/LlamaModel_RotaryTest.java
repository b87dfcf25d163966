package psyche.train;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rotary embeddings use HF's rotate_half, computed as a product with a signed permutation matrix. */
class LlamaModel_RotaryTest {
    @Test void rotateHalfMatrixGivesConcatOfNegatedSecondHalfAndFirstHalf() {
        for (int d : new int[] {2, 8, 16, 64}) {
            float[] r = LlamaModel.rotateHalfMatrix(d);
            Random rnd = new Random(d);
            float[] x = new float[d];
            for (int i = 0; i < d; i++) x[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < d; i++) {
                float got = 0;
                for (int j = 0; j < d; j++) got += x[j] * r[j * d + i];
                float want = i < d / 2 ? -x[i + d / 2] : x[i - d / 2];
                assertEquals(want, got, 0f, "d " + d + " output " + i);
            }
        }
    }
}
