package psyche.train.distro;

import ai.djl.ndarray.NDArray;
import psyche.config.Optimizer;
import psyche.coordinator.Hashing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What both ends of a result exchange know before any byte moves: per parameter (in the model's parameter order) the
 * tile shape, tile size, k and whether values travel as sign bits. A run fixes the model and the DisTrO config, so
 * results carry only a 4-byte {@link #fingerprint()} of this layout instead of shapes; a receiver decodes against its
 * own layout ({@link DistroResult#decode(byte[], DistroLayout)}) and a mismatch is refused by name.
 *
 * <p>Fingerprint: the first 4 bytes of sha256 over u32 parameter count, then per parameter u8 rank, rank x u64 xshape,
 * u64 totalk, u32 k, u8 1-bit flag (all big-endian).
 */
public record DistroLayout(List<Parameter> parameters) {
    /** One parameter's tiling: {@code rows(xshape)} tiles of {@code totalk} coefficients, {@code k} of them sent. */
    public record Parameter(long[] xshape, long totalk, int k, boolean quantized) {
        public Parameter {
            xshape = xshape.clone();
            if (xshape.length != 2 && xshape.length != 4) {
                throw new IllegalArgumentException("tile shape must have rank 2 or 4, got " + Arrays.toString(xshape));
            }
            for (long d : xshape) {
                if (d < 1) throw new IllegalArgumentException("tile shape " + Arrays.toString(xshape) + " has an empty dimension");
            }
            long inTile = xshape.length == 4 ? xshape[2] * xshape[3] : xshape[1];
            if (totalk != inTile) {
                throw new IllegalArgumentException("totalk " + totalk + " is not the tile size " + inTile + " of "
                        + Arrays.toString(xshape));
            }
            if (totalk > Integer.MAX_VALUE) throw new IllegalArgumentException("tile size " + totalk + " exceeds 2^31 - 1");
            if (k < 1 || k > totalk) throw new IllegalArgumentException("k " + k + " is outside [1, totalk " + totalk + "]");
            long rows = xshape.length == 4 ? xshape[0] * xshape[1] : xshape[0];
            if (rows * k > Integer.MAX_VALUE) throw new IllegalArgumentException(rows + " tiles x " + k + " entries is too many");
        }

        @Override public long[] xshape() { return xshape.clone(); }

        public int rows() { return CompressedTensor.rows(xshape); }

        /** Coefficients sent: {@code rows x k}. */
        public int entries() { return rows() * k; }

        @Override public boolean equals(Object o) {
            return o instanceof Parameter p && Arrays.equals(xshape, p.xshape) && totalk == p.totalk && k == p.k
                    && quantized == p.quantized;
        }

        @Override public int hashCode() { return Arrays.hashCode(xshape) * 31 + k * 2 + (quantized ? 1 : 0); }

        @Override public String toString() {
            return Arrays.toString(xshape) + " k=" + k + (quantized ? " 1-bit" : " f32");
        }
    }

    public DistroLayout {
        parameters = List.copyOf(parameters);
    }

    /** The layout a result has: the tiling of each of its tensors. */
    public static DistroLayout of(List<CompressedTensor> tensors) {
        List<Parameter> ps = new ArrayList<>(tensors.size());
        for (CompressedTensor t : tensors) ps.add(new Parameter(t.xshape(), t.totalk(), t.k(), t.quantized()));
        return new DistroLayout(ps);
    }

    /**
     * The layout of every result of a model with these parameter shapes (in parameter order) under a DisTrO config:
     * tiles as {@link DctTransform#tileShape(long[], long)}, {@code k = clamp(topk, 1, totalk)}.
     */
    public static DistroLayout forParameters(List<long[]> parameterShapes, int compressionChunk, int compressionTopk,
                                             boolean quantize1bit) {
        if (compressionChunk < 1) throw new IllegalArgumentException("compression_chunk must be >= 1, got " + compressionChunk);
        List<Parameter> ps = new ArrayList<>(parameterShapes.size());
        for (long[] shape : parameterShapes) {
            long[] xs = DctTransform.tileShape(shape, compressionChunk);
            long totalk = xs.length == 4 ? xs[2] * xs[3] : xs[1];
            ps.add(new Parameter(xs, totalk, DistroCodec.clampTopk(totalk, compressionTopk), quantize1bit));
        }
        return new DistroLayout(ps);
    }

    /** {@link #forParameters(List, int, int, boolean)} for a model's parameter map, in its iteration order. */
    public static DistroLayout forParameters(Map<String, NDArray> params, Optimizer.Distro config) {
        List<long[]> shapes = new ArrayList<>(params.size());
        for (NDArray p : params.values()) shapes.add(p.getShape().getShape());
        return forParameters(shapes, config.compressionChunk(), config.compressionTopk(), config.quantize1bit());
    }

    /** First 4 bytes of the layout's sha256 (see the class comment), as a big-endian int. */
    public int fingerprint() {
        List<byte[]> parts = new ArrayList<>(1 + parameters.size());
        parts.add(ByteBuffer.allocate(4).putInt(parameters.size()).array());
        for (Parameter p : parameters) {
            long[] xs = p.xshape;
            ByteBuffer b = ByteBuffer.allocate(1 + 8 * xs.length + 8 + 4 + 1).put((byte) xs.length);
            for (long d : xs) b.putLong(d);
            b.putLong(p.totalk).putInt(p.k).put((byte) (p.quantized ? 1 : 0));
            parts.add(b.array());
        }
        return ByteBuffer.wrap(Hashing.sha256(parts.toArray(byte[][]::new))).getInt();
    }

    public String fingerprintHex() { return String.format("%08x", fingerprint()); }

    /** Bytes of the same parameters sent dense in bf16: the baseline of the compression ratio. */
    public long denseBf16Bytes() {
        long n = 0;
        for (Parameter p : parameters) n += (long) p.rows() * p.totalk * 2;
        return n;
    }

    /**
     * The most bytes {@link DistroResult#encode()} writes for this layout, whatever the indices, step and batch: a
     * bound a receiver can cap downloads with, and the figure behind the guaranteed compression ratio.
     */
    public long maxResultBytes() {
        return DistroResult.MAX_HEADER_BYTES + (DistroResult.maxPayloadBits(this) + 7) / 8 + 4L * f32Entries();
    }

    /** Entries whose values travel as f32 (parameters without 1-bit quantization). */
    long f32Entries() {
        long n = 0;
        for (Parameter p : parameters) if (!p.quantized) n += p.entries();
        return n;
    }

    @Override public String toString() {
        return "DistroLayout[" + parameters.size() + " parameters, fingerprint " + fingerprintHex() + "]";
    }
}
