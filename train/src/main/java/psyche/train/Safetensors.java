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
 * dtype, shape and byte range ({@code data_offsets}, relative to the data after the header) plus an optional
 * {@code __metadata__} map, padded with spaces so the data starts 8-byte aligned, then the raw little-endian data.
 * Checkpoints are written in BF16 like Psyche's (round-to-nearest-even from the f32 weights); BF16, F16 and F32
 * files are read, widened to f32.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The reference implementation's limit on the header (safetensors {@code MAX_HEADER_SIZE}). */
    private static final long MAX_HEADER_BYTES = 100_000_000;

    private Safetensors() {}

    public enum Dtype {
        F32(4), BF16(2), F16(2);

        private final int bytes;

        Dtype(int bytes) { this.bytes = bytes; }

        /** Bytes per element. */
        public int bytes() { return bytes; }

        /** The name config.json gives this dtype ({@code torch_dtype}). */
        public String torchName() {
            return switch (this) {
                case F32 -> "float32";
                case BF16 -> "bfloat16";
                case F16 -> "float16";
            };
        }
    }

    /** One tensor as plain floats (bf16 and f16 are widened on read). */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " values, data has " + data.length);
            }
        }
    }

    /** Writes {@code tensors} in BF16, the dtype of Psyche's checkpoints. */
    public static void write(Path file, Map<String, Tensor> tensors) {
        write(file, tensors, Dtype.BF16);
    }

    /** Writes {@code tensors} in {@code dtype} (F32 keeps the weights exact; BF16 and F16 round to nearest even). */
    public static void write(Path file, Map<String, Tensor> tensors, Dtype dtype) {
        int width = dtype.bytes();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (var e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("__metadata__ is not a tensor name");
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
                        switch (dtype) {
                            case F32 -> buf.putFloat(v);
                            case BF16 -> buf.putShort(toBf16(v));
                            case F16 -> buf.putShort(toF16(v));
                        }
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

    /** The single-file weights of a checkpoint directory. */
    public static final String WEIGHTS_FILE = "model.safetensors";
    /** The index of a sharded checkpoint: {@code {"metadata": {"total_size": N}, "weight_map": {name: shard file}}}. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    /**
     * Writes the weights of a checkpoint directory as Transformers' {@code save_pretrained}: one
     * {@code model.safetensors}, or, when {@code maxShardBytes > 0} and the weights are larger, shards
     * {@code model-0000i-of-0000N.safetensors} of at most {@code maxShardBytes} each (a larger tensor gets a shard of its
     * own), in name order, and {@code model.safetensors.index.json} mapping every tensor to its shard.
     */
    public static void writeCheckpoint(Path dir, Map<String, Tensor> tensors, Dtype dtype, long maxShardBytes) {
        long total = 0;
        for (Tensor t : tensors.values()) total += (long) t.data().length * dtype.bytes();
        if (maxShardBytes <= 0 || total <= maxShardBytes) {
            write(dir.resolve(WEIGHTS_FILE), tensors, dtype);
            return;
        }
        java.util.List<Map<String, Tensor>> shards = new java.util.ArrayList<>();
        Map<String, Tensor> current = new LinkedHashMap<>();
        long size = 0;
        for (var e : tensors.entrySet()) {
            long bytes = (long) e.getValue().data().length * dtype.bytes();
            if (!current.isEmpty() && size + bytes > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                size = 0;
            }
            current.put(e.getKey(), e.getValue());
            size += bytes;
        }
        shards.add(current);
        Map<String, String> weightMap = new java.util.TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            write(dir.resolve(name), shards.get(i), dtype);
            for (String t : shards.get(i).keySet()) weightMap.put(t, name);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", total));
        index.put("weight_map", weightMap);
        try {
            Files.write(dir.resolve(INDEX_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
        } catch (IOException e) {
            throw new TrainingException("cannot write " + dir.resolve(INDEX_FILE) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the weights of a checkpoint directory: {@code model.safetensors}, or the shards that
     * {@code model.safetensors.index.json} lists (every listed tensor must be in the shard it names).
     */
    public static Map<String, Tensor> readCheckpoint(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        if (!Files.isRegularFile(index)) {
            if (!Files.isRegularFile(dir.resolve(WEIGHTS_FILE))) {
                throw new TrainingException("no weights in " + dir + ": expected " + WEIGHTS_FILE + " or " + INDEX_FILE
                        + " with its shards");
            }
            return read(dir.resolve(WEIGHTS_FILE));
        }
        JsonNode map;
        try {
            map = JSON.readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new TrainingException("cannot read " + index + ": " + e.getMessage(), e);
        }
        if (!map.isObject() || map.isEmpty()) throw new TrainingException(index + " has no weight_map");
        Map<String, java.util.List<String>> byShard = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            String shard = e.getValue().asText();
            if (shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new TrainingException(index + " names shard " + shard + " outside its directory");
            }
            byShard.computeIfAbsent(shard, k -> new java.util.ArrayList<>()).add(e.getKey());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : byShard.entrySet()) {
            Map<String, Tensor> shard = read(dir.resolve(e.getKey()));
            for (String name : e.getValue()) {
                Tensor t = shard.get(name);
                if (t == null) throw new TrainingException(index + " puts " + name + " in " + e.getKey() + ", which lacks it");
                out.put(name, t);
            }
        }
        return out;
    }

    /**
     * Reads every tensor of a safetensors file, widened to f32. The header is checked as the format demands: known
     * dtypes, byte ranges that match the shapes and cover the data exactly, without gaps or overlaps.
     */
    public static Map<String, Tensor> read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
            psyche.reports.ProvenanceLog.input("checkpoint", file);
        } catch (IOException e) {
            throw new TrainingException("cannot read safetensors " + file + ": " + e.getMessage(), e);
        }
        if (all.length < 8) throw new TrainingException(file + " is not a safetensors file (" + all.length + " bytes)");
        long headerLen = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen <= 0 || headerLen > all.length - 8 || headerLen > MAX_HEADER_BYTES) {
            throw new TrainingException(file + " is not a safetensors file (header length " + headerLen + ")");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new TrainingException(file + " is not a safetensors file (header is not JSON: " + e.getMessage() + ")", e);
        }
        if (header == null || !header.isObject()) {
            throw new TrainingException(file + " is not a safetensors file (header is not a JSON object)");
        }
        int base = 8 + (int) headerLen;
        long dataLen = all.length - base;
        Map<String, Tensor> out = new LinkedHashMap<>();
        record Range(long begin, long end, String name) {}
        java.util.List<Range> ranges = new java.util.ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            JsonNode info = e.getValue();
            if (name.equals("__metadata__")) {
                if (!info.isObject()) throw bad(file, "__metadata__ is not a map of strings");
                continue;
            }
            if (!info.isObject() || !info.path("dtype").isTextual() || !info.path("shape").isArray()
                    || !info.path("data_offsets").isArray() || info.get("data_offsets").size() != 2) {
                throw bad(file, "tensor " + name + " lacks dtype, shape or data_offsets [begin, end]");
            }
            String dtypeName = info.get("dtype").asText();
            Dtype dtype;
            try {
                dtype = Dtype.valueOf(dtypeName);
            } catch (IllegalArgumentException unknown) {
                throw new TrainingException("tensor " + name + " in " + file + " has dtype " + dtypeName
                        + "; only F32, BF16 and F16 are supported");
            }
            long[] shape = new long[info.get("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = info.get("shape").get(i);
                if (!d.canConvertToLong() || d.asLong() < 0) throw bad(file, "tensor " + name + " has shape " + info.get("shape"));
                shape[i] = d.asLong();
                count = shape[i] > 0 && count > Integer.MAX_VALUE / shape[i] ? Long.MAX_VALUE : count * shape[i];
            }
            if (count > Integer.MAX_VALUE) throw bad(file, "tensor " + name + " has shape " + info.get("shape") + ", too many elements for one array");
            JsonNode offsets = info.get("data_offsets");
            long begin = offsets.get(0).asLong(-1), end = offsets.get(1).asLong(-1);
            if (!offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong() || begin < 0 || end < begin
                    || end > dataLen) {
                throw bad(file, "tensor " + name + " has data_offsets " + offsets + " outside the " + dataLen + " data bytes");
            }
            if (end - begin != count * dtype.bytes()) {
                throw bad(file, "tensor " + name + " of shape " + Arrays.toString(shape) + " in " + dtype + " needs "
                        + count * dtype.bytes() + " bytes, data_offsets " + offsets + " hold " + (end - begin));
            }
            ranges.add(new Range(begin, end, name));
            ByteBuffer slice = ByteBuffer.wrap(all, base + (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            float[] data = new float[(int) count];
            switch (dtype) {
                case F32 -> slice.asFloatBuffer().get(data);
                case BF16 -> { for (int i = 0; i < data.length; i++) data[i] = fromBf16(slice.getShort()); }
                case F16 -> { for (int i = 0; i < data.length; i++) data[i] = fromF16(slice.getShort()); }
            }
            out.put(name, new Tensor(shape, data));
        }
        // the byte buffer must be entirely indexed: ranges in order, each starting where the previous ended
        ranges.sort(java.util.Comparator.comparingLong(Range::begin).thenComparingLong(Range::end));
        long covered = 0;
        for (Range r : ranges) {
            if (r.begin() != covered) {
                throw bad(file, "tensor " + r.name() + " starts at byte " + r.begin() + " of the data, expected " + covered
                        + (r.begin() < covered ? " (tensors overlap)" : " (a gap before it)"));
            }
            covered = r.end();
        }
        if (covered != dataLen) throw bad(file, (dataLen - covered) + " data bytes after the last tensor");
        return out;
    }

    private static TrainingException bad(Path file, String why) {
        return new TrainingException(file + " is not a valid safetensors file: " + why);
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

    /** Round-to-nearest-even float to IEEE half: overflow gives infinity, tiny values subnormals or zero; NaN stays NaN. */
    public static short toF16(float v) {
        int bits = Float.floatToRawIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7F_FFFF;
        if (exp == 0xFF) return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        int e = exp - 112; // half's biased exponent
        if (e >= 31) return (short) (sign | 0x7C00);
        if (e <= 0) {
            // subnormal half: (1.mant) * 2^(exp-127) in units of 2^-24 is full >> (14 - e)
            int shift = 14 - e;
            if (shift > 24) return (short) sign; // below half the smallest subnormal
            int full = mant | 0x80_0000;
            int m = full >>> shift;
            int rest = full & ((1 << shift) - 1), half = 1 << (shift - 1);
            if (rest > half || (rest == half && (m & 1) == 1)) m++;
            return (short) (sign | m); // m == 0x400 is the smallest normal: the encoding carries over
        }
        int h = sign | (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1) == 1)) h++; // a carry rounds up the exponent (to inf at the top)
        return (short) h;
    }

    public static float fromF16(short h) {
        int sign = (h & 0x8000) << 16;
        int e = (h >>> 10) & 0x1F;
        int m = h & 0x3FF;
        if (e == 0) {
            float f = m * 0x1p-24f; // zero or subnormal, exact
            return sign != 0 ? -f : f;
        }
        if (e == 31) return Float.intBitsToFloat(sign | 0x7F80_0000 | (m << 13));
        return Float.intBitsToFloat(sign | ((e + 112) << 23) | (m << 13));
    }
}
