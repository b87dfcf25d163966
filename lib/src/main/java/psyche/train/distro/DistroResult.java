package psyche.train.distro;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One client's result of one round, like Psyche's {@code TransmittableDistroResult}: step, trainer nonce, the
 * batch it trained ({@code [batchStart, batchEnd]} inclusive) and per parameter the compressed coefficients.
 *
 * <p>Wire format (little-endian): magic {@code "PDR1"}, u32 step, u32 nonce, u64 start, u64 end, u32 parameter count;
 * per parameter: u8 rank, rank x u16 xshape (as Psyche's {@code Vec<u16>}; {@code totalk} is the product of the
 * in-tile dimensions), u16 k, u8 flags (bit 0 = 1-bit values), indices as u8/u16/u32 by totalk, then values as f32,
 * or sign bits packed LSB-first (1 = negative).
 */
public record DistroResult(long step, long trainerNonce, long batchStart, long batchEnd, List<CompressedTensor> tensors) {
    private static final int MAGIC = 0x31524450; // "PDR1" read as little-endian

    public DistroResult {
        tensors = List.copyOf(tensors);
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = le(32).putInt(MAGIC).putInt((int) step).putInt((int) trainerNonce).putLong(batchStart)
                .putLong(batchEnd).putInt(tensors.size());
        out.writeBytes(head.array());
        for (CompressedTensor t : tensors) {
            long[] xs = t.xshape();
            ByteBuffer h = le(1 + 2 * xs.length + 3).put((byte) xs.length);
            for (long d : xs) {
                if (d > 0xFFFF) throw new IllegalArgumentException("tile dimension " + d + " does not fit the u16 xshape");
                h.putShort((short) d);
            }
            if (t.k() > 0xFFFF) throw new IllegalArgumentException("k " + t.k() + " does not fit u16");
            h.putShort((short) t.k()).put((byte) (t.quantized() ? 1 : 0));
            out.writeBytes(h.array());
            out.writeBytes(indexBytes(t));
            out.writeBytes(valueBytes(t));
        }
        return out.toByteArray();
    }

    public static DistroResult decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (in.getInt() != MAGIC) throw new IllegalArgumentException("not a DisTrO result (bad magic)");
            long step = Integer.toUnsignedLong(in.getInt());
            long nonce = Integer.toUnsignedLong(in.getInt());
            long start = in.getLong(), end = in.getLong();
            int n = in.getInt();
            List<CompressedTensor> tensors = new ArrayList<>(n);
            for (int p = 0; p < n; p++) {
                int rank = in.get();
                long[] xs = new long[rank];
                for (int i = 0; i < rank; i++) xs[i] = in.getShort() & 0xFFFF;
                long totalk = rank == 4 ? xs[2] * xs[3] : xs[rank - 1];
                int k = in.getShort() & 0xFFFF;
                boolean quantized = (in.get() & 1) != 0;
                int count = CompressedTensor.rows(xs) * k;
                int[] idx = new int[count];
                int width = CompressedTensor.indexWidth(totalk);
                for (int i = 0; i < count; i++) {
                    idx[i] = switch (width) {
                        case 1 -> in.get() & 0xFF;
                        case 2 -> in.getShort() & 0xFFFF;
                        default -> in.getInt();
                    };
                }
                float[] val = new float[count];
                if (quantized) {
                    byte[] bits = new byte[(count + 7) / 8];
                    in.get(bits);
                    for (int i = 0; i < count; i++) val[i] = ((bits[i >> 3] >> (i & 7)) & 1) != 0 ? -1f : 1f;
                } else {
                    for (int i = 0; i < count; i++) val[i] = in.getFloat();
                }
                tensors.add(new CompressedTensor(xs, totalk, k, idx, val, quantized));
            }
            if (in.hasRemaining()) throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            return new DistroResult(step, nonce, start, end, tensors);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated DisTrO result (" + bytes.length + " bytes)", e);
        }
    }

    /**
     * Psyche's commitment {@code data_hash}: sha256(step BE, start BE, end BE, then per parameter the raw index bytes
     * and raw value bytes as sent).
     */
    public byte[] commitment() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(20).putInt((int) step).putLong(batchStart).putLong(batchEnd).array());
            for (CompressedTensor t : tensors) {
                sha.update(indexBytes(t));
                sha.update(valueBytes(t));
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
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

    private static byte[] indexBytes(CompressedTensor t) {
        int width = CompressedTensor.indexWidth(t.totalk());
        int[] idx = t.indices();
        ByteBuffer b = le(idx.length * width);
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
        ByteBuffer b = le(val.length * 4);
        for (float v : val) b.putFloat(v);
        return b.array();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
