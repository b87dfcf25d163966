package psyche.train.distro;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import psyche.coordinator.Hashing;

/**
 * One client's result of one round, like Psyche's {@code TransmittableDistroResult}: step, trainer nonce, the
 * batch it trained ({@code [batchStart, batchEnd]} inclusive) and per parameter the compressed coefficients.
 *
 * <p>The record holds the <em>canonical</em> form: within each tile the entries sorted by index, each value moved with
 * its index (the constructor sorts; the mean scatter does not depend on the order, so applying a canonical result
 * gives the same update bit for bit). Encoding, decoding and the {@link #commitment()} all work on that form.
 *
 * <p>Wire format {@code PDR2}. Shapes do not travel: both ends know the model and the DisTrO config, and the header
 * carries the {@link DistroLayout#fingerprint() fingerprint} of that layout; {@link #decode(byte[], DistroLayout)}
 * refuses a result of another layout by name.
 * <pre>
 *   magic       "PDR2"
 *   step        uvarint (LEB128, minimal length), at most u32
 *   nonce       uvarint, at most u32
 *   batchStart  uvarint
 *   batchSpan   uvarint, batchEnd - batchStart
 *   count       uvarint, number of parameters
 *   fingerprint 4 bytes, the layout's fingerprint (big-endian)
 *   bit stream, least significant bit of each byte first:
 *     per parameter, in layout order:
 *       Rice parameter b: bit 0 = the layout's default {@link #defaultRiceParameter}, or bit 1 and b in 5 bits
 *       per tile, its k sorted indices as gaps (first index, then difference to the previous one minus 1), each
 *         Golomb-Rice coded: (gap &gt;&gt; b) one bits, a zero bit, the low b bits of the gap
 *     then the sign bits of every 1-bit parameter, in parameter, tile and index order (1 = negative)
 *     zero bits up to the next byte
 *   f32 values (little-endian) of every parameter without 1-bit quantization, in the same order
 * </pre>
 * Sorted top-k indices are nearly uniform gaps, which Rice codes in about {@code log2(totalk/k) + 1.5} bits against
 * {@code ceil(log2 totalk)} for fixed-width fields; the encoder picks each parameter's b for the fewest bits, which also
 * keeps degenerate tiles (e.g. all-zero embedding rows, whose top-k is {@code 0..k-1}) cheap. A result never exceeds
 * {@link DistroLayout#maxResultBytes()}.
 */
public record DistroResult(long step, long trainerNonce, long batchStart, long batchEnd, List<CompressedTensor> tensors) {
    private static final byte[] MAGIC = {'P', 'D', 'R', '2'};
    /** Longest header: magic, step and nonce (u32), start and span (u63), count (u31), fingerprint. */
    static final int MAX_HEADER_BYTES = 4 + 5 + 5 + 9 + 9 + 5 + 4;
    private static final int RICE_PARAMETER_BITS = 5;

    /**
     * @throws IllegalArgumentException for a step or nonce outside u32, a batch that is not an interval of sample
     *     indices, a tensor whose tiling is not DisTrO's, an index outside its tile or twice in one tile, or a 1-bit
     *     tensor with a value other than +1 and -1
     */
    public DistroResult {
        if (step < 0 || step > 0xFFFF_FFFFL) throw new IllegalArgumentException("step " + step + " does not fit u32");
        if (trainerNonce < 0 || trainerNonce > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("trainer nonce " + trainerNonce + " does not fit u32");
        }
        if (batchStart < 0 || batchEnd < batchStart) {
            throw new IllegalArgumentException("batch [" + batchStart + ", " + batchEnd + "] is not an interval of sample indices");
        }
        List<CompressedTensor> canonical = new ArrayList<>(tensors.size());
        for (CompressedTensor t : tensors) {
            new DistroLayout.Parameter(t.xshape(), t.totalk(), t.k(), t.quantized()); // checks the tiling
            if (t.quantized()) {
                for (float v : t.values()) {
                    if (v != 1f && v != -1f) {
                        throw new IllegalArgumentException("1-bit tensor " + t + " holds " + v + "; 1-bit values are +1 or -1");
                    }
                }
            }
            canonical.add(t.sortedByIndex());
        }
        tensors = List.copyOf(canonical);
    }

    /** The fields before the coefficients; readable without a layout ({@link #readHeader}). */
    public record Header(long step, long trainerNonce, long batchStart, long batchEnd, int parameterCount,
                         int layoutFingerprint) {
        @Override public String toString() {
            return "DistroResult.Header[step=" + step + ", trainerNonce=" + trainerNonce + ", batch=[" + batchStart + ", "
                    + batchEnd + "], parameters=" + parameterCount + ", layout=" + String.format("%08x", layoutFingerprint) + "]";
        }
    }

    /** The layout of this result's tensors. */
    public DistroLayout layout() { return DistroLayout.of(tensors); }

    public byte[] encode() {
        DistroLayout layout = layout();
        ByteBuffer head = ByteBuffer.allocate(MAX_HEADER_BYTES).put(MAGIC);
        putVarint(head, step);
        putVarint(head, trainerNonce);
        putVarint(head, batchStart);
        putVarint(head, batchEnd - batchStart);
        putVarint(head, tensors.size());
        head.putInt(layout.fingerprint());

        BitWriter bits = new BitWriter((int) Math.min(Integer.MAX_VALUE - 8, (maxPayloadBits(layout) + 7) / 8));
        int[] gaps = new int[0];
        for (CompressedTensor t : tensors) {
            int n = t.indices().length;
            if (gaps.length < n) gaps = new int[n];
            gaps(t, gaps);
            int b0 = defaultRiceParameter(t.totalk(), t.k());
            int b = cheapestRiceParameter(gaps, n, t.totalk(), b0);
            if (b == b0) {
                bits.write(0, 1);
            } else {
                bits.write(1, 1);
                bits.write(b, RICE_PARAMETER_BITS);
            }
            for (int i = 0; i < n; i++) {
                bits.ones(gaps[i] >>> b);
                bits.write(0, 1);
                bits.write(gaps[i], b);
            }
        }
        for (CompressedTensor t : tensors) {
            if (!t.quantized()) continue;
            for (float v : t.values()) bits.write(v < 0 ? 1 : 0, 1);
        }
        byte[] stream = bits.finish();

        ByteBuffer out = ByteBuffer.allocate(head.position() + stream.length + (int) (4 * layout.f32Entries()))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(head.array(), 0, head.position()).put(stream);
        for (CompressedTensor t : tensors) {
            if (t.quantized()) continue;
            for (float v : t.values()) out.putFloat(v);
        }
        return out.array();
    }

    /** Step, nonce, batch and layout fingerprint of an encoded result, without decoding the coefficients. */
    public static Header readHeader(byte[] bytes) {
        return parseHeader(bytes, new int[1]);
    }

    /**
     * Decodes a result of {@code layout} (the receiver's own: {@link DistroLayout#forParameters}).
     *
     * @throws DistroWireException for bytes that are not a PDR2 result, are truncated or corrupted, carry trailing
     *     bytes, or belong to another layout (the message names expected and received fingerprint and count)
     */
    public static DistroResult decode(byte[] bytes, DistroLayout layout) {
        int[] at = new int[1];
        Header h = parseHeader(bytes, at);
        List<DistroLayout.Parameter> ps = layout.parameters();
        int expected = layout.fingerprint();
        if (h.parameterCount() != ps.size() || h.layoutFingerprint() != expected) {
            throw new DistroWireException(String.format("DisTrO result of another layout: expected fingerprint %08x over %d "
                    + "parameters (this model and DisTrO config), received %08x over %d parameters; the sender trains "
                    + "another model or another compression_chunk / compression_topk / quantize_1bit",
                    expected, ps.size(), h.layoutFingerprint(), h.parameterCount()));
        }
        long f32Bytes = 4 * layout.f32Entries();
        if (bytes.length - at[0] < f32Bytes) throw truncated(bytes.length);
        int streamEnd = (int) (bytes.length - f32Bytes);
        BitReader in = new BitReader(bytes, at[0], streamEnd);

        List<int[]> indices = new ArrayList<>(ps.size());
        for (int p = 0; p < ps.size(); p++) {
            DistroLayout.Parameter param = ps.get(p);
            int b = in.read(1) == 0 ? defaultRiceParameter(param.totalk(), param.k()) : (int) in.read(RICE_PARAMETER_BITS);
            int k = param.k();
            long totalk = param.totalk();
            int[] idx = new int[param.entries()];
            for (int row = 0, i = 0; row < param.rows(); row++) {
                long prev = -1;
                for (int j = 0; j < k; j++, i++) {
                    // the largest quotient that keeps this index and the tile's later ones inside the tile
                    long room = totalk - (k - j) - (prev + 1);
                    long q = in.unary(room >> b);
                    long index = prev + 1 + (q << b) + in.read(b);
                    if (index > totalk - (k - j)) {
                        throw new DistroWireException("corrupted DisTrO result: parameter " + p + ", tile " + row
                                + " has index " + index + " with " + (k - j - 1) + " more to come in a tile of " + totalk);
                    }
                    idx[i] = (int) index;
                    prev = index;
                }
            }
            indices.add(idx);
        }
        List<float[]> values = new ArrayList<>(ps.size());
        for (DistroLayout.Parameter param : ps) {
            float[] val = new float[param.entries()];
            if (param.quantized()) for (int i = 0; i < val.length; i++) val[i] = in.read(1) == 1 ? -1f : 1f;
            values.add(val);
        }
        in.expectZeroPaddingToEnd();
        ByteBuffer f32 = ByteBuffer.wrap(bytes, streamEnd, (int) f32Bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<CompressedTensor> tensors = new ArrayList<>(ps.size());
        for (int p = 0; p < ps.size(); p++) {
            DistroLayout.Parameter param = ps.get(p);
            float[] val = values.get(p);
            if (!param.quantized()) for (int i = 0; i < val.length; i++) val[i] = f32.getFloat();
            tensors.add(new CompressedTensor(param.xshape(), param.totalk(), param.k(), indices.get(p), val, param.quantized()));
        }
        return new DistroResult(h.step(), h.trainerNonce(), h.batchStart(), h.batchEnd(), tensors);
    }

    /**
     * Psyche's commitment {@code data_hash}: sha256(step as u32 BE, start u64 BE, end u64 BE, then per parameter the
     * raw index bytes and the raw value bytes). Defined over the canonical form (indices sorted within each tile),
     * indices at the spec's u8/u16/u32 width by tile size ({@link CompressedTensor#indexWidth}, little-endian), values
     * as sign bits packed LSB-first per parameter (1 = negative) or as f32 little-endian. So a result has the same
     * commitment before encoding and after decoding, whatever order its top-k came in.
     */
    public byte[] commitment() {
        List<byte[]> parts = new ArrayList<>(1 + 2 * tensors.size());
        parts.add(ByteBuffer.allocate(20).putInt((int) step).putLong(batchStart).putLong(batchEnd).array());
        for (CompressedTensor t : tensors) {
            parts.add(indexBytes(t));
            parts.add(valueBytes(t));
        }
        return Hashing.sha256(parts.toArray(byte[][]::new));
    }

    public String commitmentHex() { return HexFormat.of().formatHex(commitment()); }

    /** Size of {@link #encode()}. */
    public int byteCount() { return encode().length; }

    /** Bytes of the same parameters sent dense in bf16: the baseline for the compression ratio. */
    public long denseBf16Bytes() {
        long n = 0;
        for (CompressedTensor t : tensors) n += (long) t.rows() * t.totalk() * 2;
        return n;
    }

    /**
     * The Rice parameter a parameter's gaps get unless the encoder names another: for {@code k} of {@code totalk}
     * uniform positions the gaps are about geometric with mean {@code mu = (totalk - k) / (k + 1)}, whose best Rice
     * parameter is about {@code ceil(log2(0.4812 (mu + 1/2)))} (Kiely 2004). Integer form: the smallest {@code b} with
     * {@code 160 (2k + 2) 2^b >= 77 (2 totalk - k + 1)}.
     */
    public static int defaultRiceParameter(long totalk, int k) {
        long need = 77L * (2 * totalk - k + 1), unit = 160L * (2L * k + 2);
        int b = 0;
        while (b < 31 && (unit << b) < need) b++;
        return b;
    }

    /** Payload bits of the worst case: default Rice parameter, gaps summing to {@code totalk - k}, all signs. */
    static long maxPayloadBits(DistroLayout layout) {
        long bits = 0;
        for (DistroLayout.Parameter p : layout.parameters()) {
            int b0 = defaultRiceParameter(p.totalk(), p.k());
            // the quotients of a tile's gaps sum to at most (sum of gaps) >> b <= (totalk - k) >> b
            bits += 1 + (long) p.rows() * ((long) p.k() * (1 + b0) + ((p.totalk() - p.k()) >> b0));
            if (p.quantized()) bits += p.entries();
        }
        return bits;
    }

    /** Gaps of each tile's sorted indices: the first index, then the difference to the previous one minus 1. */
    private static void gaps(CompressedTensor t, int[] out) {
        int[] idx = t.indices();
        int k = t.k();
        for (int i = 0; i < idx.length; i++) out[i] = i % k == 0 ? idx[i] : idx[i] - idx[i - 1] - 1;
    }

    /** The Rice parameter with the fewest bits for these gaps, counting the bits that name it. */
    private static int cheapestRiceParameter(int[] gaps, int n, long totalk, int b0) {
        int maxB = 64 - Long.numberOfLeadingZeros(totalk); // larger b only adds remainder bits
        int best = b0;
        long bestBits = Long.MAX_VALUE;
        for (int b = 0; b <= maxB; b++) {
            long bits = (b == b0 ? 1 : 1 + RICE_PARAMETER_BITS) + (long) n * (1 + b);
            for (int i = 0; i < n; i++) bits += gaps[i] >>> b;
            if (bits < bestBits || (bits == bestBits && b == b0)) {
                best = b;
                bestBits = bits;
            }
        }
        return best;
    }

    private static Header parseHeader(byte[] bytes, int[] at) {
        if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            String seen = bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'D' && bytes[2] == 'R'
                    ? " (format version '" + (char) bytes[3] + "'; this reads PDR2)" : "";
            throw new DistroWireException("not a DisTrO result: bad magic" + seen);
        }
        at[0] = MAGIC.length;
        long step = varint(bytes, at, "step");
        long nonce = varint(bytes, at, "trainer nonce");
        long start = varint(bytes, at, "batch start");
        long span = varint(bytes, at, "batch span");
        long count = varint(bytes, at, "parameter count");
        if (step > 0xFFFF_FFFFL || nonce > 0xFFFF_FFFFL || start < 0 || span < 0 || start + span < 0
                || count > Integer.MAX_VALUE) {
            throw new DistroWireException("corrupted DisTrO result: header field out of range (step " + Long.toUnsignedString(step)
                    + ", nonce " + Long.toUnsignedString(nonce) + ", batch start " + Long.toUnsignedString(start)
                    + ", span " + Long.toUnsignedString(span) + ", parameters " + Long.toUnsignedString(count) + ")");
        }
        if (bytes.length - at[0] < 4) throw truncated(bytes.length);
        int fingerprint = ByteBuffer.wrap(bytes, at[0], 4).getInt();
        at[0] += 4;
        return new Header(step, nonce, start, start + span, (int) count, fingerprint);
    }

    private static void putVarint(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    private static long varint(byte[] bytes, int[] at, String field) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            if (at[0] >= bytes.length) throw truncated(bytes.length);
            int b = bytes[at[0]++] & 0xFF;
            if (shift == 63 && b > 1) throw new DistroWireException("corrupted DisTrO result: " + field + " overflows 64 bits");
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) throw new DistroWireException("corrupted DisTrO result: " + field + " has a padded varint");
                return v;
            }
        }
    }

    private static DistroWireException truncated(int length) {
        return new DistroWireException("truncated DisTrO result (" + length + " bytes): it ends before its coefficients do");
    }

    private static byte[] indexBytes(CompressedTensor t) {
        int width = CompressedTensor.indexWidth(t.totalk());
        int[] idx = t.indices();
        ByteBuffer b = ByteBuffer.allocate(idx.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : idx) {
            switch (width) {
                case 1 -> b.put((byte) v);
                case 2 -> b.putShort((short) v);
                default -> b.putInt(v);
            }
        }
        return b.array();
    }

    private static byte[] valueBytes(CompressedTensor t) {
        float[] val = t.values();
        if (t.quantized()) {
            byte[] bits = new byte[(val.length + 7) / 8];
            for (int i = 0; i < val.length; i++) if (val[i] < 0) bits[i >> 3] |= (byte) (1 << (i & 7));
            return bits;
        }
        ByteBuffer b = ByteBuffer.allocate(val.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : val) b.putFloat(v);
        return b.array();
    }

    /** Bits appended least significant first into bytes. */
    private static final class BitWriter {
        private byte[] buf;
        private int size;
        private long acc;
        private int accBits;

        BitWriter(int capacity) { buf = new byte[Math.max(16, capacity)]; }

        /** The low {@code n} bits of {@code value}, {@code n <= 32}. */
        void write(long value, int n) {
            acc |= (value & ((1L << n) - 1)) << accBits;
            accBits += n;
            while (accBits >= 8) {
                if (size == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
                buf[size++] = (byte) acc;
                acc >>>= 8;
                accBits -= 8;
            }
        }

        void ones(long count) {
            for (; count >= 32; count -= 32) write(0xFFFF_FFFFL, 32);
            write((1L << count) - 1, (int) count);
        }

        /** The bytes written, the last one padded with zero bits. */
        byte[] finish() {
            if (accBits > 0) write(0, 8 - accBits);
            return Arrays.copyOf(buf, size);
        }
    }

    /** Reads what {@link BitWriter} wrote, within {@code [from, to)} bytes of a buffer. */
    private static final class BitReader {
        private final byte[] buf;
        private final long end;
        private long pos;

        BitReader(byte[] buf, int from, int to) {
            this.buf = buf;
            this.pos = (long) from * 8;
            this.end = (long) to * 8;
        }

        long read(int n) {
            if (pos + n > end) throw truncated(buf.length);
            long v = 0;
            for (int got = 0; got < n; ) {
                int shift = (int) (pos & 7);
                int take = Math.min(8 - shift, n - got);
                v |= (long) (((buf[(int) (pos >>> 3)] & 0xFF) >>> shift) & ((1 << take) - 1)) << got;
                got += take;
                pos += take;
            }
            return v;
        }

        /** A run of one bits ended by a zero bit; more than {@code limit} ones is corruption. */
        long unary(long limit) {
            long q = 0;
            while (true) {
                if (pos >= end) throw truncated(buf.length);
                int shift = (int) (pos & 7);
                int rest = (buf[(int) (pos >>> 3)] & 0xFF) >>> shift;
                int ones = Integer.numberOfTrailingZeros(~rest); // <= 8 - shift: the bits above are zero in rest
                int avail = 8 - shift;
                if (ones < avail) {
                    q += ones;
                    pos += ones + 1;
                    if (q > limit) throw overrun();
                    return q;
                }
                q += avail;
                pos += avail;
                if (q > limit) throw overrun();
            }
        }

        void expectZeroPaddingToEnd() {
            if (end - pos >= 8) {
                throw new DistroWireException("corrupted DisTrO result: " + (end - pos) / 8 + " bytes after the coefficients");
            }
            if (pos < end && read((int) (end - pos)) != 0) {
                throw new DistroWireException("corrupted DisTrO result: non-zero padding bits after the coefficients");
            }
        }

        private static DistroWireException overrun() {
            return new DistroWireException("corrupted DisTrO result: an index gap runs past the end of its tile");
        }
    }
}
