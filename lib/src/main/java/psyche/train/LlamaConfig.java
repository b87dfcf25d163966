package psyche.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Size of a Llama-style causal LM, named like Hugging Face's {@code LlamaConfig} so a {@code config.json} round-trips.
 */
public record LlamaConfig(
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int intermediateSize,
        int vocabSize,
        int maxPositionEmbeddings,
        double ropeTheta,
        double rmsNormEps,
        boolean tieWordEmbeddings) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public LlamaConfig {
        require(hiddenSize > 0 && numHiddenLayers > 0 && numAttentionHeads > 0 && numKeyValueHeads > 0
                && intermediateSize > 0 && vocabSize > 0 && maxPositionEmbeddings > 0, "all sizes must be positive");
        require(hiddenSize % numAttentionHeads == 0, "hidden_size " + hiddenSize
                + " must be a multiple of num_attention_heads " + numAttentionHeads);
        require(numAttentionHeads % numKeyValueHeads == 0, "num_attention_heads " + numAttentionHeads
                + " must be a multiple of num_key_value_heads " + numKeyValueHeads);
        require((hiddenSize / numAttentionHeads) % 2 == 0, "head_dim " + hiddenSize / numAttentionHeads
                + " must be even for rotary embeddings");
    }

    private static void require(boolean ok, String what) {
        if (!ok) throw new TrainingException("invalid LlamaConfig: " + what);
    }

    /** A model that trains in minutes on two CPU cores: hidden 64, 2 layers, 4 heads over 2 KV heads. */
    public static LlamaConfig tiny(int vocabSize) {
        return new LlamaConfig(64, 2, 4, 2, 176, vocabSize, 512, 10000.0, 1e-5, true);
    }

    public int headDim() { return hiddenSize / numAttentionHeads; }

    public LlamaConfig withVocabSize(int newVocab) {
        return new LlamaConfig(hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, intermediateSize,
                newVocab, maxPositionEmbeddings, ropeTheta, rmsNormEps, tieWordEmbeddings);
    }

    /** Parameter count (embeddings counted once when tied). */
    public long parameterCount() {
        long h = hiddenSize, kv = (long) numKeyValueHeads * headDim();
        long layer = h * h * 2 + h * kv * 2 + 3 * h * intermediateSize + 2 * h;
        return vocabSize * h * (tieWordEmbeddings ? 1 : 2) + numHiddenLayers * layer + h;
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlamaForCausalLM"));
        m.put("model_type", "llama");
        m.put("hidden_act", "silu");
        m.put("hidden_size", hiddenSize);
        m.put("intermediate_size", intermediateSize);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("num_attention_heads", numAttentionHeads);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("num_key_value_heads", numKeyValueHeads);
        m.put("rms_norm_eps", rmsNormEps);
        m.put("rope_theta", ropeTheta);
        m.put("tie_word_embeddings", tieWordEmbeddings);
        m.put("torch_dtype", "float32");
        m.put("vocab_size", vocabSize);
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LlamaConfig fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            int heads = need(n, "num_attention_heads").asInt();
            return new LlamaConfig(
                    need(n, "hidden_size").asInt(),
                    need(n, "num_hidden_layers").asInt(),
                    heads,
                    n.path("num_key_value_heads").asInt(heads),
                    need(n, "intermediate_size").asInt(),
                    need(n, "vocab_size").asInt(),
                    n.path("max_position_embeddings").asInt(2048),
                    n.path("rope_theta").asDouble(10000.0),
                    n.path("rms_norm_eps").asDouble(1e-6),
                    n.path("tie_word_embeddings").asBoolean(false));
        } catch (IOException e) {
            throw new TrainingException("config.json is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode need(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new TrainingException("config.json lacks required field " + field);
        return v;
    }

    public void write(Path file) {
        try {
            Files.writeString(file, toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    public static LlamaConfig read(Path file) {
        try {
            String json = Files.readString(file);
            psyche.reports.ProvenanceLog.input("model config", file);
            return fromJson(json);
        } catch (IOException e) {
            throw new TrainingException("cannot read model config " + file + ": " + e.getMessage(), e);
        }
    }
}
