package psyche.train.distro;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PDR2 wire format: round trips, golden bytes, the commitment's definition, and every way bytes can be wrong. */
class DistroResult_WireTest {
    private static final HexFormat HEX = HexFormat.of();

    /** One parameter of a generated result: its shape, how its indices are drawn, 1-bit or f32. */
    record ParamSpec(long[] shape, boolean quantized, int pattern) {
        @Override public String toString() {
            return Arrays.toString(shape) + (quantized ? " 1-bit" : " f32") + " pattern " + pattern;
        }
    }

    @Provide Arbitrary<List<ParamSpec>> params() {
        // primes, 1, powers of two, sizes with few divisors: chunk 1, chunk > dim, ragged tiles
        Arbitrary<Long> dim = Arbitraries.of(1L, 2L, 3L, 5L, 7L, 13L, 31L, 64L, 97L, 128L, 176L, 257L);
        Arbitrary<long[]> shape = Arbitraries.oneOf(dim.map(d -> new long[] {d}),
                Combinators.combine(dim, dim).as((a, b) -> new long[] {a, b}));
        return Combinators.combine(shape, Arbitraries.of(true, false), Arbitraries.integers().between(0, 3))
                .as(ParamSpec::new).list().ofMinSize(0).ofMaxSize(4);
    }

    @Provide Arbitrary<Integer> chunks() { return Arbitraries.integers().between(1, 300); }

    @Provide Arbitrary<Integer> topks() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 40), Arbitraries.just(1_000_000)); // k = totalk
    }

    @Property(tries = 300)
    void everyResultRoundTripsWithItsCommitment(@ForAll("params") List<ParamSpec> specs, @ForAll("chunks") int chunk,
                                                @ForAll("topks") int topk, @ForAll long seed) {
        Random r = new Random(seed);
        List<CompressedTensor> tensors = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (ParamSpec s : specs) {
            shapes.add(s.shape());
            tensors.add(randomTensor(r, DctTransform.tileShape(s.shape(), chunk), topk, s.quantized(), s.pattern()));
        }
        DistroResult res = new DistroResult(r.nextInt(1 << 20), r.nextInt(300), 1L << r.nextInt(40), (1L << 40) + r.nextInt(9),
                tensors);
        DistroLayout layout = DistroLayout.of(tensors);
        boolean uniform = specs.stream().allMatch(ParamSpec::quantized) || specs.stream().noneMatch(ParamSpec::quantized);
        if (uniform && !specs.isEmpty()) {
            assertEquals(layout, DistroLayout.forParameters(shapes, chunk, topk, specs.get(0).quantized()),
                    "the layout a receiver derives from shapes and config is the result's own");
        }

        byte[] wire = res.encode();
        DistroResult back = DistroResult.decode(wire, layout);
        assertEquals(res, back);
        assertArrayEquals(res.commitment(), back.commitment());
        assertArrayEquals(wire, back.encode(), "decoding and encoding again gives the same bytes");
        assertTrue(wire.length <= layout.maxResultBytes(), wire.length + " B over the bound " + layout.maxResultBytes());
        DistroResult.Header h = DistroResult.readHeader(wire);
        assertEquals(List.of(res.step(), res.trainerNonce(), res.batchStart(), res.batchEnd()),
                List.of(h.step(), h.trainerNonce(), h.batchStart(), h.batchEnd()));
        assertEquals(layout.fingerprint(), h.layoutFingerprint());
        assertEquals(specs.size(), h.parameterCount());
        // canonical order leaves the mean scatter, hence the update, unchanged
        for (int p = 0; p < tensors.size(); p++) {
            assertArrayEquals(DistroCodec.scatterMean(List.of(tensors.get(p))), DistroCodec.scatterMean(List.of(back.tensors().get(p))));
        }
    }

    /** Distinct indices per tile, in random order: 0 uniform, 1 the first k (an all-zero tile), 2 the last k, 3 clustered. */
    static CompressedTensor randomTensor(Random r, long[] xshape, int topk, boolean quantized, int pattern) {
        long totalk = xshape.length == 4 ? xshape[2] * xshape[3] : xshape[1];
        int k = DistroCodec.clampTopk(totalk, topk);
        int rows = CompressedTensor.rows(xshape);
        int[] idx = new int[rows * k];
        float[] val = new float[rows * k];
        float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, -Float.MIN_VALUE, Float.MAX_VALUE};
        for (int row = 0; row < rows; row++) {
            int[] chosen = switch (pattern) {
                case 1 -> range(0, k);
                case 2 -> range((int) totalk - k, k);
                case 3 -> range(r.nextInt((int) totalk - k + 1), k);
                default -> r.ints(0, (int) totalk).distinct().limit(k).toArray();
            };
            for (int j = chosen.length - 1; j > 0; j--) { // shuffle: results arrive in top-k (value) order
                int o = r.nextInt(j + 1), t = chosen[j];
                chosen[j] = chosen[o];
                chosen[o] = t;
            }
            for (int j = 0; j < k; j++) {
                idx[row * k + j] = chosen[j];
                val[row * k + j] = quantized ? (r.nextBoolean() ? 1f : -1f)
                        : r.nextInt(20) == 0 ? specials[r.nextInt(specials.length)] : (float) r.nextGaussian();
            }
        }
        return new CompressedTensor(xshape, totalk, k, idx, val, quantized);
    }

    static int[] range(int from, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = from + i;
        return a;
    }

    /** A 1-D 1-bit parameter of 4 (top-2, arriving unsorted) and a 2x2 f32 tile (top-1). */
    static DistroResult small() {
        CompressedTensor a = new CompressedTensor(new long[] {1, 4}, 4, 2, new int[] {3, 1}, new float[] {-1f, 1f}, true);
        CompressedTensor b = new CompressedTensor(new long[] {1, 1, 2, 2}, 4, 1, new int[] {2}, new float[] {0.5f}, false);
        return new DistroResult(5, 2, 16, 19, List.of(a, b));
    }

    @Test void goldenBytesOfASmallResult() throws Exception {
        DistroResult res = small();
        // fingerprint: sha256(u32 count, per parameter u8 rank, u64 xshape..., u64 totalk, u32 k, u8 1-bit), first 4 bytes
        ByteBuffer layoutBytes = ByteBuffer.allocate(4 + (1 + 16 + 8 + 4 + 1) + (1 + 32 + 8 + 4 + 1)).putInt(2)
                .put((byte) 2).putLong(1).putLong(4).putLong(4).putInt(2).put((byte) 1)
                .put((byte) 4).putLong(1).putLong(1).putLong(2).putLong(2).putLong(4).putInt(1).put((byte) 0);
        byte[] fp = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(layoutBytes.array()), 4);
        assertEquals(HEX.formatHex(fp), res.layout().fingerprintHex());

        String expected = "50445232" // "PDR2"
                + "05" + "02" + "10" + "03" + "02" // step 5, nonce 2, start 16, span 3 (end 19), 2 parameters
                + HEX.formatHex(fp)
                // bits, LSB first: A: b=default(0) '0', gaps 1,1 -> '10' '10'; B: b=default(0) '0', gap 2 -> '110';
                // A's signs in index order (1:+1, 3:-1) '0' '1'; then zero padding
                // 0,1,0,1,0, 0,1,1,0, 0,1 -> 0b11001010 = ca, 0b00000100 = 04
                + "ca04"
                + "0000003f"; // B's value 0.5f little-endian
        assertEquals(expected, HEX.formatHex(res.encode()));
        assertEquals(19, res.byteCount());
        assertEquals(res, DistroResult.decode(HEX.parseHex(expected), res.layout()));
    }

    @Test void commitmentIsDefinedOverTheCanonicalForm() throws Exception {
        DistroResult res = small();
        byte[] want = MessageDigest.getInstance("SHA-256").digest(HEX.parseHex(
                "00000005" + "0000000000000010" + "0000000000000013" // step u32 BE, start u64 BE, end u64 BE
                        + "0103" + "02"          // A: u8 indices sorted, sign bits (index 3 negative: bit 1)
                        + "02" + "0000003f"));   // B: u8 index, f32 LE
        assertEquals(HEX.formatHex(want), res.commitmentHex());
        assertEquals(res.commitmentHex(), DistroResult.decode(res.encode(), res.layout()).commitmentHex());

        CompressedTensor moved = new CompressedTensor(new long[] {1, 4}, 4, 2, new int[] {3, 0}, new float[] {-1f, 1f}, true);
        DistroResult other = new DistroResult(5, 2, 16, 19, List.of(moved, res.tensors().get(1)));
        assertNotEquals(res.commitmentHex(), other.commitmentHex(), "one index moved changes the commitment");
    }

    @Test void everyTruncationIsATypedError() {
        Random r = new Random(11);
        DistroResult res = new DistroResult(9, 1, 0, 3, List.of(randomTensor(r, new long[] {3, 64}, 8, true, 0),
                randomTensor(r, new long[] {2, 2, 8, 8}, 5, false, 0), randomTensor(r, new long[] {1, 7}, 9, true, 2)));
        byte[] wire = res.encode();
        for (int n = 0; n < wire.length; n++) {
            byte[] cut = Arrays.copyOf(wire, n);
            assertThrows(DistroWireException.class, () -> DistroResult.decode(cut, res.layout()), "first " + n + " bytes");
        }
        byte[] longer = Arrays.copyOf(wire, wire.length + 1);
        DistroWireException e = assertThrows(DistroWireException.class, () -> DistroResult.decode(longer, res.layout()));
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test void corruptedBytesGiveATypedErrorOrAnotherValidResult() {
        Random r = new Random(12);
        DistroResult res = new DistroResult(9, 1, 0, 3, List.of(randomTensor(r, new long[] {4, 16}, 3, true, 0),
                randomTensor(r, new long[] {1, 5}, 5, false, 0)));
        byte[] wire = res.encode();
        for (int bit = 0; bit < wire.length * 8; bit++) {
            byte[] bad = wire.clone();
            bad[bit >> 3] ^= (byte) (1 << (bit & 7));
            try {
                assertNotEquals(res, DistroResult.decode(bad, res.layout()), "flipped bit " + bit);
            } catch (DistroWireException expected) {
                // refused: fine
            }
        }
        byte[] badMagic = wire.clone();
        badMagic[3] = '1';
        DistroWireException e = assertThrows(DistroWireException.class, () -> DistroResult.decode(badMagic, res.layout()));
        assertTrue(e.getMessage().contains("bad magic") && e.getMessage().contains("PDR2"), e.getMessage());

        // every payload bit set: the first gap runs past its tile
        byte[] ones = wire.clone();
        int streamStart = 4 + 5 + 4; // magic, five one-byte varints, fingerprint
        Arrays.fill(ones, streamStart, ones.length, (byte) 0xFF);
        assertThrows(DistroWireException.class, () -> DistroResult.decode(ones, res.layout()));

        // a padded varint (step 9 as 0x89 0x00) is not PDR2
        byte[] padded = new byte[wire.length + 1];
        System.arraycopy(wire, 0, padded, 0, 4);
        padded[4] = (byte) 0x89;
        padded[5] = 0;
        System.arraycopy(wire, 5, padded, 6, wire.length - 5);
        e = assertThrows(DistroWireException.class, () -> DistroResult.decode(padded, res.layout()));
        assertTrue(e.getMessage().contains("padded varint"), e.getMessage());
    }

    @Test void nonZeroPaddingIsRefused() {
        DistroResult res = new DistroResult(1, 0, 0, 0, List.of(
                new CompressedTensor(new long[] {1, 4}, 4, 1, new int[] {0}, new float[] {1f}, true)));
        byte[] wire = res.encode(); // bits: '0' code, '0' gap 0 (b = 0), '0' sign: 3 bits and 5 padding bits
        byte[] bad = wire.clone();
        bad[bad.length - 1] |= (byte) 0x80;
        DistroWireException e = assertThrows(DistroWireException.class, () -> DistroResult.decode(bad, res.layout()));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
    }

    @Test void aResultOfAnotherLayoutIsRefusedByName() {
        List<long[]> shapes = List.of(new long[] {64, 64}, new long[] {64});
        DistroLayout mine = DistroLayout.forParameters(shapes, 64, 8, true);
        DistroLayout theirs = DistroLayout.forParameters(shapes, 64, 16, true);
        Random r = new Random(3);
        List<CompressedTensor> ts = new ArrayList<>();
        for (DistroLayout.Parameter p : theirs.parameters()) ts.add(randomTensor(r, p.xshape(), p.k(), true, 0));
        byte[] wire = new DistroResult(1, 0, 0, 1, ts).encode();

        DistroWireException e = assertThrows(DistroWireException.class, () -> DistroResult.decode(wire, mine));
        String m = e.getMessage();
        assertTrue(m.contains("expected fingerprint " + mine.fingerprintHex() + " over 2 parameters")
                && m.contains("received " + theirs.fingerprintHex() + " over 2 parameters") && m.contains("compression_topk"), m);
        assertNotEquals(mine.fingerprint(), theirs.fingerprint());
        assertTrue(e instanceof IllegalArgumentException);

        DistroLayout fewer = DistroLayout.forParameters(shapes.subList(0, 1), 64, 16, true);
        e = assertThrows(DistroWireException.class, () -> DistroResult.decode(wire, fewer));
        assertTrue(e.getMessage().contains("over 1 parameters") && e.getMessage().contains("over 2 parameters"), e.getMessage());
        assertEquals(theirs.fingerprint(), DistroResult.readHeader(wire).layoutFingerprint(), "the header reads without a layout");
    }

    @Test void fingerprintTellsQuantizationAndShapesApart() {
        List<long[]> shapes = List.of(new long[] {12, 10}, new long[] {5});
        int base = DistroLayout.forParameters(shapes, 4, 3, true).fingerprint();
        assertNotEquals(base, DistroLayout.forParameters(shapes, 4, 3, false).fingerprint());
        assertNotEquals(base, DistroLayout.forParameters(shapes, 5, 3, true).fingerprint());
        assertNotEquals(base, DistroLayout.forParameters(List.of(new long[] {10, 12}, new long[] {5}), 4, 3, true).fingerprint());
        assertEquals(base, DistroLayout.forParameters(List.of(new long[] {12, 10}, new long[] {5}), 4, 3, true).fingerprint());
    }

    @Test void invalidResultsAreRefusedAtConstruction() {
        CompressedTensor twice = new CompressedTensor(new long[] {1, 8}, 8, 2, new int[] {3, 3}, new float[] {1f, -1f}, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DistroResult(1, 0, 0, 1, List.of(twice)));
        assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
        CompressedTensor outside = new CompressedTensor(new long[] {1, 8}, 8, 1, new int[] {8}, new float[] {1f}, true);
        e = assertThrows(IllegalArgumentException.class, () -> new DistroResult(1, 0, 0, 1, List.of(outside)));
        assertTrue(e.getMessage().contains("outside [0, 8)"), e.getMessage());
        CompressedTensor notSigns = new CompressedTensor(new long[] {1, 8}, 8, 1, new int[] {2}, new float[] {0.5f}, true);
        e = assertThrows(IllegalArgumentException.class, () -> new DistroResult(1, 0, 0, 1, List.of(notSigns)));
        assertTrue(e.getMessage().contains("+1 or -1"), e.getMessage());
        CompressedTensor ok = new CompressedTensor(new long[] {1, 8}, 8, 1, new int[] {2}, new float[] {1f}, true);
        e = assertThrows(IllegalArgumentException.class, () -> new DistroResult(1L << 32, 0, 0, 1, List.of(ok)));
        assertTrue(e.getMessage().contains("u32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DistroResult(1, 0, 5, 4, List.of(ok)));
        assertTrue(e.getMessage().contains("[5, 4]"), e.getMessage());
        CompressedTensor wrongTotalk = new CompressedTensor(new long[] {1, 8}, 16, 1, new int[] {2}, new float[] {1f}, true);
        e = assertThrows(IllegalArgumentException.class, () -> new DistroResult(1, 0, 0, 1, List.of(wrongTotalk)));
        assertTrue(e.getMessage().contains("totalk 16"), e.getMessage());
    }

    @Test void sortingKeepsEachValueWithItsIndex() {
        CompressedTensor t = new CompressedTensor(new long[] {2, 5}, 5, 3, new int[] {4, 0, 2, 1, 3, 0},
                new float[] {4f, 0f, 2f, -1f, -3f, 0.5f}, false);
        CompressedTensor s = t.sortedByIndex();
        assertArrayEquals(new int[] {0, 2, 4, 0, 1, 3}, s.indices());
        assertArrayEquals(new float[] {0f, 2f, 4f, 0.5f, -1f, -3f}, s.values());
        assertTrue(s.sortedByIndex() == s, "a sorted tensor is its own canonical form");
        assertFalse(Arrays.equals(t.indices(), s.indices()), "the input is left as it was");
    }
}
