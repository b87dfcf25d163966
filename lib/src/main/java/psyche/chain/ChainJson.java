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
        if (v instanceof Float f) return Float.isFinite(f) ? F.numberNode(f) : F.textNode(f.toString());
        if (v instanceof Double d) return Double.isFinite(d) ? F.numberNode(d) : F.textNode(d.toString());
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
