package psyche.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;
import psyche.coordinator.WitnessBloom;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * JSON views of decoded chain values, shaped like Psyche's serde output: snake_case fields, externally tagged
 * enums ({@code "Ephemeral"} or {@code {"Hub": {...}}}), keys in base58, raw bytes in hex, u64 values that do not
 * fit a signed long printed unsigned.
 */
public final class ChainJson {
    private ChainJson() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(toJson(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static JsonNode toJson(Object v) {
        if (v == null) return F.nullNode();
        if (v instanceof Optional<?> o) return o.isPresent() ? toJson(o.get()) : F.nullNode();
        if (v instanceof String s) return F.textNode(s);
        if (v instanceof Boolean b) return F.booleanNode(b);
        if (v instanceof Long l) return l < 0 ? F.numberNode(new java.math.BigInteger(Long.toUnsignedString(l))) : F.numberNode(l);
        if (v instanceof Integer i) return F.numberNode(i);
        // serde_json writes a non-finite float as null
        if (v instanceof Float f) return Float.isFinite(f) ? F.numberNode(f) : F.nullNode();
        if (v instanceof Double d) return Double.isFinite(d) ? F.numberNode(d) : F.nullNode();
        if (v instanceof Pubkey k) return F.textNode(k.toBase58());
        if (v instanceof byte[] b) return F.textNode(HexFormat.of().formatHex(b));
        if (v instanceof NodeIdentity id) {
            ObjectNode n = F.objectNode();
            n.put("signer", id.signer().toBase58());
            n.put("p2p_identity", id.p2pIdentity().toBase58());
            n.put("short_id", id.shortId());
            return n;
        }
        if (v instanceof WitnessBloom b) {
            ObjectNode n = F.objectNode();
            ArrayNode keys = n.putArray("keys"), bits = n.putArray("bits");
            for (long k : b.keys()) keys.add(toJson(k));
            for (long w : b.bits()) bits.add(toJson(w));
            return n;
        }
        if (v instanceof Enum<?> e) return F.textNode(e.name());
        if (v instanceof Collection<?> c) {
            ArrayNode a = F.arrayNode();
            for (Object o : c) a.add(toJson(o));
            return a;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode n = F.objectNode();
            m.forEach((k, val) -> n.set(String.valueOf(k), toJson(val)));
            return n;
        }
        // model::OptimizerDefinition::AdamW { betas: [f32; 2], .. } (shared/core/src/definitions.rs:356-363)
        if (v instanceof psyche.config.Optimizer.AdamW a) {
            ObjectNode body = F.objectNode();
            ArrayNode betas = body.putArray("betas");
            betas.add(toJson(a.beta1()));
            betas.add(toJson(a.beta2()));
            body.set("weight_decay", toJson(a.weightDecay()));
            body.set("eps", toJson(a.eps()));
            body.set("clip_grad_norm", toJson(a.clipGradNorm()));
            return F.objectNode().set("AdamW", body);
        }
        // Shuffle::Seeded([u8; 32]) (shared/core/src/data_shuffle.rs:21-25): serde writes the array of 32 numbers
        if (v instanceof psyche.config.Shuffle.Seeded sd) {
            ArrayNode seed = F.arrayNode();
            for (byte b : sd.seed()) seed.add(b & 0xff);
            return F.objectNode().set("Seeded", seed);
        }
        if (v instanceof Record r) {
            ObjectNode body = F.objectNode();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    body.set(snake(c.getName()), toJson(c.getAccessor().invoke(r)));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
                }
            }
            // a variant of a sealed config enum (Checkpoint.Hub, LrSchedule.Cosine, ...) is tagged by its name
            Class<?> outer = r.getClass().getEnclosingClass();
            if (outer != null && outer.isSealed() && outer.isInterface() && outer.getPackageName().equals("psyche.config")) {
                String tag = r.getClass().getSimpleName();
                if (body.isEmpty()) return F.textNode(tag);
                ObjectNode tagged = F.objectNode();
                // newtype variants (Hub(HubRepo), Server(String)) serialize their single value directly, as serde does
                tagged.set(tag, body.size() == 1 && r.getClass().getRecordComponents().length == 1
                        ? body.elements().next() : body);
                return tagged;
            }
            return body;
        }
        return F.textNode(v.toString());
    }

    /**
     * Text as serde_json's {@code to_string_pretty} writes it (what run-manager prints): object keys sorted
     * (serde_json's Map is a BTreeMap without the preserve_order feature), two-space indent, {@code "key": value},
     * {@code {}} / {@code []} when empty, f32/f64 as ryu writes them ({@code 4e-5}, {@code 0.001}, {@code 1.0}),
     * strings escaped as serde_json does (only {@code "}, {@code \} and control characters).
     */
    public static String serdePretty(JsonNode node) {
        StringBuilder b = new StringBuilder();
        serde(node, b, 0);
        return b.toString();
    }

    private static void serde(JsonNode n, StringBuilder b, int depth) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            b.append("null");
        } else if (n.isObject()) {
            if (n.isEmpty()) { b.append("{}"); return; }
            java.util.List<String> keys = new java.util.ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            keys.sort(ChainJson::compareUtf8); // BTreeMap<String, _>: ordered by UTF-8 bytes
            b.append("{\n");
            for (int i = 0; i < keys.size(); i++) {
                indent(b, depth + 1);
                string(keys.get(i), b);
                b.append(": ");
                serde(n.get(keys.get(i)), b, depth + 1);
                b.append(i + 1 < keys.size() ? ",\n" : "\n");
            }
            indent(b, depth);
            b.append('}');
        } else if (n.isArray()) {
            if (n.isEmpty()) { b.append("[]"); return; }
            b.append("[\n");
            for (int i = 0; i < n.size(); i++) {
                indent(b, depth + 1);
                serde(n.get(i), b, depth + 1);
                b.append(i + 1 < n.size() ? ",\n" : "\n");
            }
            indent(b, depth);
            b.append(']');
        } else if (n.isTextual()) {
            string(n.textValue(), b);
        } else if (n.isBoolean()) {
            b.append(n.booleanValue());
        } else if (n.isFloat()) {
            float f = n.floatValue();
            b.append(Float.isFinite(f) ? Ryu.f32(f) : "null");
        } else if (n.isDouble() || n.isBigDecimal()) {
            double d = n.doubleValue();
            b.append(Double.isFinite(d) ? Ryu.f64(d) : "null");
        } else if (n.isNumber()) {
            b.append(n.bigIntegerValue());
        } else {
            string(n.asText(), b);
        }
    }

    private static int compareUtf8(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void indent(StringBuilder b, int depth) { b.append("  ".repeat(depth)); }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    static String snake(String camel) {
        if (camel.equals("quantize1bit")) return "quantize_1bit"; // serde's field name; a digit rule would break beta1/beta2
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) sb.append('_').append(Character.toLowerCase(c));
            else sb.append(c);
        }
        return sb.toString();
    }
}
