package psyche.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format written by hand: 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. F32 and BF16 are supported.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    public enum Dtype { F32, BF16 }

    /** One tensor as plain floats (bf16 is widened on read). */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " values, data has " + data.length);
            }
        }
    }

    public static void write(Path file, Map<String, Tensor> tensors, Dtype dtype) {
        int width = dtype == Dtype.F32 ? 4 : 2;
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (var e : tensors.entrySet()) {
            long bytes = (long) e.getValue().data().length * width;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", dtype.name());
            info.put("shape", e.getValue().shape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), info);
            offset += bytes;
        }
        try {
            byte[] json = JSON.writeValueAsBytes(header);
            int padded = (json.length + 7) / 8 * 8; // the format recommends 8-byte alignment of the data
            byte[] head = Arrays.copyOf(json, padded);
            Arrays.fill(head, json.length, padded, (byte) ' ');
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            // FileOutputStream, not an NIO channel: an interrupt of the training thread must not break a checkpoint
            try (OutputStream out = new java.io.BufferedOutputStream(new java.io.FileOutputStream(tmp.toFile()), 1 << 20)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
                out.write(head);
                for (Tensor t : tensors.values()) {
                    ByteBuffer buf = ByteBuffer.allocate(t.data().length * width).order(ByteOrder.LITTLE_ENDIAN);
                    for (float v : t.data()) {
                        if (width == 4) buf.putFloat(v);
                        else buf.putShort(toBf16(v));
                    }
                    out.write(buf.array());
                }
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TrainingException("cannot write safetensors " + file + ": " + e.getMessage(), e);
        }
    }

    public static Map<String, Tensor> read(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = buf.getLong();
            if (headerLen <= 0 || headerLen > all.length - 8) {
                throw new TrainingException(file + " is not a safetensors file (header length " + headerLen + ")");
            }
            JsonNode header = JSON.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
            int base = 8 + (int) headerLen;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                JsonNode info = e.getValue();
                String dtype = info.get("dtype").asText();
                long[] shape = new long[info.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = info.get("shape").get(i).asLong();
                long begin = info.get("data_offsets").get(0).asLong();
                long end = info.get("data_offsets").get(1).asLong();
                ByteBuffer slice = ByteBuffer.wrap(all, base + (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                float[] data;
                switch (dtype) {
                    case "F32" -> {
                        data = new float[(int) ((end - begin) / 4)];
                        slice.asFloatBuffer().get(data);
                    }
                    case "BF16" -> {
                        data = new float[(int) ((end - begin) / 2)];
                        for (int i = 0; i < data.length; i++) data[i] = fromBf16(slice.getShort());
                    }
                    default -> throw new TrainingException("tensor " + e.getKey() + " in " + file + " has dtype "
                            + dtype + "; only F32 and BF16 are supported");
                }
                out.put(e.getKey(), new Tensor(shape, data));
            }
            return out;
        } catch (IOException e) {
            throw new TrainingException("cannot read safetensors " + file + ": " + e.getMessage(), e);
        }
    }

    /** Round-to-nearest-even float to bfloat16, as torch does; NaN stays NaN. */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
