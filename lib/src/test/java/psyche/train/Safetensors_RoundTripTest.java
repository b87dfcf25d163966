package psyche.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Safetensors_RoundTripTest {
    @TempDir Path dir;

    @Test void f32RoundTripsExactlyWithHuggingFaceLayout() throws Exception {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new Safetensors.Tensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-7f, -0f}));
        t.put("model.norm.weight", new Safetensors.Tensor(new long[] {3}, new float[] {1, 1, 1}));
        Path f = dir.resolve("model.safetensors");
        Safetensors.write(f, t, Safetensors.Dtype.F32);
        byte[] bytes = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "data starts 8-byte aligned");
        assertEquals(8 + headerLen + 9 * 4, bytes.length);
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"model.embed_tokens.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"), header);
        assertEquals(-2f, ByteBuffer.wrap(bytes, (int) (8 + headerLen) + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        Map<String, Safetensors.Tensor> back = Safetensors.read(f);
        assertEquals(t.keySet(), back.keySet());
        for (String k : t.keySet()) {
            assertArrayEquals(t.get(k).shape(), back.get(k).shape());
            assertArrayEquals(t.get(k).data(), back.get(k).data());
        }
    }

    @Test void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, Safetensors.toBf16(1.0f));
        assertEquals((short) 0x3F80, Safetensors.toBf16(Float.intBitsToFloat(0x3F808000)), "tie goes to even");
        assertEquals((short) 0x3F82, Safetensors.toBf16(Float.intBitsToFloat(0x3F818000)), "tie goes to even (up)");
        assertTrue(Float.isNaN(Safetensors.fromBf16(Safetensors.toBf16(Float.NaN))));
        Map<String, Safetensors.Tensor> t = Map.of("w", new Safetensors.Tensor(new long[] {2}, new float[] {3.140625f, -0.5f}));
        Path f = dir.resolve("b.safetensors");
        Safetensors.write(f, t, Safetensors.Dtype.BF16);
        assertArrayEquals(new float[] {3.140625f, -0.5f}, Safetensors.read(f).get("w").data());
    }

    @Test void garbageIsRejected() throws Exception {
        Path f = dir.resolve("x.safetensors");
        Files.write(f, new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0x7F, 1, 2});
        TrainingException e = assertThrows(TrainingException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
    }
}
