package psyche.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    @Test void defaultIsBf16WithAValidHeader() throws Exception {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put("model.layers.0.mlp.up_proj.weight", new Safetensors.Tensor(new long[] {2, 3},
                new float[] {1.00390625f, -2f, 3.5f, 0, 1e-7f, Float.intBitsToFloat(0x3F818000)}));
        t.put("model.norm.weight", new Safetensors.Tensor(new long[] {3}, new float[] {1, 1, 1}));
        Path f = dir.resolve("model.safetensors");
        Safetensors.write(f, t);
        byte[] bytes = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "data starts 8-byte aligned");
        assertEquals(8 + headerLen + 9 * 2, bytes.length, "2 bytes per value");
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
        assertTrue(header.matches("(?s)\\{.*\\} *"), "JSON padded with spaces only: '" + header + "'");
        JsonNode json = new ObjectMapper().readTree(header);
        assertEquals("BF16", json.get("model.layers.0.mlp.up_proj.weight").get("dtype").asText());
        assertEquals("[2,3]", json.get("model.layers.0.mlp.up_proj.weight").get("shape").toString());
        assertEquals("[0,12]", json.get("model.layers.0.mlp.up_proj.weight").get("data_offsets").toString());
        assertEquals("[12,18]", json.get("model.norm.weight").get("data_offsets").toString());
        // bf16 of 1.00390625 (halfway between 1 and 1.0078125) rounds to even: 0x3F80
        assertEquals((short) 0x3F80, ByteBuffer.wrap(bytes, (int) (8 + headerLen), 2).order(ByteOrder.LITTLE_ENDIAN).getShort());
        float[] back = Safetensors.read(f).get("model.layers.0.mlp.up_proj.weight").data();
        for (int i = 0; i < 6; i++) {
            float v = t.get("model.layers.0.mlp.up_proj.weight").data()[i];
            assertEquals(Safetensors.fromBf16(Safetensors.toBf16(v)), back[i], "element " + i);
            assertEquals(v, back[i], Math.abs(v) / 256, "within bf16's half ulp, element " + i);
        }
    }

    @Test void f16RoundsToNearestEvenAndReadsBack() throws Exception {
        assertEquals((short) 0x3C00, Safetensors.toF16(1f));
        assertEquals((short) 0xC000, Safetensors.toF16(-2f));
        assertEquals((short) 0x7BFF, Safetensors.toF16(65504f), "largest half");
        assertEquals((short) 0x7BFF, Safetensors.toF16(65519f), "below the tie: stays finite");
        assertEquals((short) 0x7C00, Safetensors.toF16(65520f), "tie to even overflows to infinity");
        assertEquals((short) 0x0001, Safetensors.toF16(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, Safetensors.toF16(0x1p-25f), "half the smallest subnormal ties to even zero");
        assertEquals((short) 0x0001, Safetensors.toF16(0x1.8p-25f), "three quarters round up");
        assertEquals((short) 0x0002, Safetensors.toF16(0x1.8p-24f), "1.5 units tie to even 2");
        assertEquals((short) 0x0400, Safetensors.toF16(0x1.ffcp-15f), "rounds up into the smallest normal");
        assertEquals((short) 0x3C00, Safetensors.toF16(Float.intBitsToFloat(0x3F801000)), "tie goes to even");
        assertEquals((short) 0x3C02, Safetensors.toF16(Float.intBitsToFloat(0x3F803000)), "tie goes to even (up)");
        assertEquals((short) 0x8000, Safetensors.toF16(-0f));
        assertEquals((short) 0xFC00, Safetensors.toF16(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Safetensors.fromF16(Safetensors.toF16(Float.NaN))));
        for (int h = 0; h < 0x10000; h++) { // every finite half and infinity survives a round trip through f32
            if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0) continue;
            assertEquals((short) h, Safetensors.toF16(Safetensors.fromF16((short) h)), "half " + Integer.toHexString(h));
        }
        assertEquals(0x1p-24f, Safetensors.fromF16((short) 1));
        assertEquals(65504f, Safetensors.fromF16((short) 0x7BFF));

        Map<String, Safetensors.Tensor> t = Map.of("w", new Safetensors.Tensor(new long[] {3}, new float[] {0.333f, -1.5f, 1e-6f}));
        Path f = dir.resolve("h.safetensors");
        Safetensors.write(f, t, Safetensors.Dtype.F16);
        assertTrue(new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains("\"dtype\":\"F16\""));
        float[] back = Safetensors.read(f).get("w").data();
        for (int i = 0; i < 3; i++) assertEquals(Safetensors.fromF16(Safetensors.toF16(t.get("w").data()[i])), back[i]);
    }

    /** A file with the given header JSON and {@code dataBytes} zero bytes of data. */
    Path file(String json, int dataBytes) throws Exception {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h);
        Path f = dir.resolve("hand.safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test void aHandWrittenFileOfEveryDtypeReads() throws Exception {
        Path f = file("{\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"c\":{\"dtype\":\"F16\",\"shape\":[1,1],\"data_offsets\":[6,8]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}}", 8);
        byte[] bytes = Files.readAllBytes(f);
        int data = bytes.length - 8;
        ByteBuffer.wrap(bytes, data, 8).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).putShort((short) 0xBF80).putShort((short) 0x3800);
        Files.write(f, bytes);
        Map<String, Safetensors.Tensor> back = Safetensors.read(f);
        assertArrayEquals(new float[] {2.5f}, back.get("a").data());
        assertArrayEquals(new float[] {-1f}, back.get("b").data());
        assertArrayEquals(new float[] {0.5f}, back.get("c").data());
        assertArrayEquals(new long[] {1, 1}, back.get("c").shape());
        assertEquals(0, back.get("empty").data().length);
    }

    @Test void invalidHeadersAreExplained() throws Exception {
        String[][] cases = {
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "needs 8 bytes"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", "outside the 8 data bytes"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "4 data bytes after the last tensor"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "a gap before it"},
                {"{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap"},
                {"{\"w\":{\"dtype\":\"I8\",\"shape\":[8],\"data_offsets\":[0,8]}}", "only F32, BF16 and F16"},
                {"{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "lacks dtype"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "has shape [-2]"},
                {"{\"__metadata__\":\"pt\"}", "__metadata__"},
                {"[1, 2]", "not a JSON object"},
                {"{\"w\": ", "not JSON"},
        };
        for (String[] c : cases) {
            Path f = file(c[0], 8);
            TrainingException e = assertThrows(TrainingException.class, () -> Safetensors.read(f), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test void garbageIsRejected() throws Exception {
        Path f = dir.resolve("x.safetensors");
        Files.write(f, new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0x7F, 1, 2});
        TrainingException e = assertThrows(TrainingException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
    }
}
