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
import java.util.Objects;
import java.util.Optional;

/**
 * Size of a Llama-style causal LM, named like Hugging Face's {@code LlamaConfig} so a {@code config.json} round-trips:
 * grouped-query attention ({@code num_key_value_heads}), an explicit {@code head_dim} (which may differ from
 * {@code hidden_size / num_attention_heads}), tied or untied {@code lm_head}, and {@code rope_scaling} of the
 * {@code llama3} type. Both Transformers 4 ({@code rope_theta}, {@code rope_scaling}, {@code torch_dtype}) and
 * Transformers 5 ({@code rope_parameters}, {@code dtype}) spellings are read; both are written.
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
        boolean tieWordEmbeddings,
        int headDim,
        Optional<Llama3RopeScaling> ropeScaling) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Llama 3.1's RoPE frequency scaling ({@code rope_type = "llama3"}). */
    public record Llama3RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
                                    int originalMaxPositionEmbeddings) {
        public Llama3RopeScaling {
            require(factor > 0 && lowFreqFactor > 0 && highFreqFactor > lowFreqFactor && originalMaxPositionEmbeddings > 0,
                    "rope_scaling llama3 needs factor > 0, 0 < low_freq_factor < high_freq_factor and "
                            + "original_max_position_embeddings > 0");
        }

        /** Transformers' {@code _compute_llama3_parameters}: long wavelengths slowed by {@code factor}, a smooth band between. */
        public double scale(double invFreq) {
            double lowWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
            double highWavelen = originalMaxPositionEmbeddings / highFreqFactor;
            double wavelen = 2 * Math.PI / invFreq;
            if (wavelen < highWavelen) return invFreq;
            if (wavelen > lowWavelen) return invFreq / factor;
            double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            return (1 - smooth) * invFreq / factor + smooth * invFreq;
        }
    }

    public LlamaConfig {
        Objects.requireNonNull(ropeScaling, "ropeScaling (Optional.empty() for none)");
        require(hiddenSize > 0 && numHiddenLayers > 0 && numAttentionHeads > 0 && numKeyValueHeads > 0
                && intermediateSize > 0 && vocabSize > 0 && maxPositionEmbeddings > 0 && headDim > 0, "all sizes must be positive");
        require(numAttentionHeads % numKeyValueHeads == 0, "num_attention_heads " + numAttentionHeads
                + " must be a multiple of num_key_value_heads " + numKeyValueHeads);
        require(headDim % 2 == 0, "head_dim " + headDim + " must be even for rotary embeddings");
    }

    /** head_dim = hidden_size / num_attention_heads, no RoPE scaling (the shape of most small Llamas). */
    public LlamaConfig(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int numKeyValueHeads,
                       int intermediateSize, int vocabSize, int maxPositionEmbeddings, double ropeTheta, double rmsNormEps,
                       boolean tieWordEmbeddings) {
        this(hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, intermediateSize, vocabSize,
                maxPositionEmbeddings, ropeTheta, rmsNormEps, tieWordEmbeddings, defaultHeadDim(hiddenSize, numAttentionHeads),
                Optional.empty());
    }

    private static int defaultHeadDim(int hidden, int heads) {
        require(heads > 0 && hidden % heads == 0, "hidden_size " + hidden + " must be a multiple of num_attention_heads "
                + heads + " (or give head_dim)");
        return hidden / heads;
    }

    private static void require(boolean ok, String what) {
        if (!ok) throw new TrainingException("invalid LlamaConfig: " + what);
    }

    /** A model that trains in minutes on two CPU cores: hidden 64, 2 layers, 4 heads over 2 KV heads. */
    public static LlamaConfig tiny(int vocabSize) {
        return new LlamaConfig(64, 2, 4, 2, 176, vocabSize, 512, 10000.0, 1e-5, true);
    }

    /**
     * Shaped like Psyche's {@code llama2-20m} runs (Llama 2 layout, the 1/8 TinyLlama shape): hidden 256, 8 layers,
     * 8 heads (no GQA, head_dim 32), intermediate 704, vocab 32,000, untied lm_head, 512 positions: 22.8 M parameters
     * (16.4 M of them the two embedding matrices).
     */
    public static LlamaConfig llama2_20m() {
        return new LlamaConfig(256, 8, 8, 8, 704, 32000, 512, 10000.0, 1e-5, false);
    }

    public LlamaConfig withVocabSize(int newVocab) {
        return new LlamaConfig(hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, intermediateSize,
                newVocab, maxPositionEmbeddings, ropeTheta, rmsNormEps, tieWordEmbeddings, headDim, ropeScaling);
    }

    public LlamaConfig withTieWordEmbeddings(boolean tie) {
        return new LlamaConfig(hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, intermediateSize,
                vocabSize, maxPositionEmbeddings, ropeTheta, rmsNormEps, tie, headDim, ropeScaling);
    }

    public LlamaConfig withHeadDim(int d) {
        return new LlamaConfig(hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, intermediateSize,
                vocabSize, maxPositionEmbeddings, ropeTheta, rmsNormEps, tieWordEmbeddings, d, ropeScaling);
    }

    public LlamaConfig withRopeScaling(Llama3RopeScaling scaling) {
        return new LlamaConfig(hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, intermediateSize,
                vocabSize, maxPositionEmbeddings, ropeTheta, rmsNormEps, tieWordEmbeddings, headDim, Optional.ofNullable(scaling));
    }

    /** The rotary inverse frequency of pair {@code i} (of {@code head_dim / 2}), scaled when rope_scaling says so. */
    public double invFreq(int i) {
        double f = 1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim);
        return ropeScaling.map(s -> s.scale(f)).orElse(f);
    }

    /** Parameter count (embeddings counted once when tied). */
    public long parameterCount() {
        long h = hiddenSize, q = (long) numAttentionHeads * headDim, kv = (long) numKeyValueHeads * headDim;
        long layer = h * q * 2 + h * kv * 2 + 3 * h * intermediateSize + 2 * h;
        return (long) vocabSize * h * (tieWordEmbeddings ? 1 : 2) + numHiddenLayers * layer + h;
    }

    /** {@code config.json} saying the weights are float32. */
    public String toJson() { return toJson("float32"); }

    /** {@code config.json} with the dtype of the weights beside it ({@code bfloat16}, {@code float32}, {@code float16}). */
    public String toJson(String torchDtype) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlamaForCausalLM"));
        m.put("model_type", "llama");
        m.put("attention_bias", false);
        m.put("attention_dropout", 0.0);
        m.put("head_dim", headDim);
        m.put("hidden_act", "silu");
        m.put("hidden_size", hiddenSize);
        m.put("initializer_range", 0.02);
        m.put("intermediate_size", intermediateSize);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("mlp_bias", false);
        m.put("num_attention_heads", numAttentionHeads);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("num_key_value_heads", numKeyValueHeads);
        m.put("pretraining_tp", 1);
        m.put("rms_norm_eps", rmsNormEps);
        Map<String, Object> rope = new LinkedHashMap<>();
        ropeScaling.ifPresent(r -> {
            rope.put("factor", r.factor());
            rope.put("low_freq_factor", r.lowFreqFactor());
            rope.put("high_freq_factor", r.highFreqFactor());
            rope.put("original_max_position_embeddings", r.originalMaxPositionEmbeddings());
            rope.put("rope_type", "llama3");
        });
        m.put("rope_scaling", ropeScaling.isPresent() ? rope : null);
        m.put("rope_theta", ropeTheta);
        m.put("tie_word_embeddings", tieWordEmbeddings);
        m.put("torch_dtype", torchDtype);
        m.put("use_cache", true);
        m.put("vocab_size", vocabSize);
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LlamaConfig fromJson(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new TrainingException("config.json is not valid JSON: " + e.getMessage(), e);
        }
        String type = n.path("model_type").asText("llama");
        if (!type.equals("llama")) {
            throw new TrainingException("config.json has model_type " + type + ": only llama (LlamaForCausalLM) loads here");
        }
        String act = n.path("hidden_act").asText("silu");
        if (!act.equals("silu")) throw new TrainingException("config.json has hidden_act " + act + ": only silu is implemented");
        if (n.path("attention_bias").asBoolean(false) || n.path("mlp_bias").asBoolean(false)) {
            throw new TrainingException("config.json asks for attention_bias or mlp_bias: this Llama has no biases");
        }
        int heads = need(n, "num_attention_heads").asInt();
        int hidden = need(n, "hidden_size").asInt();
        // Transformers 5 folds rope_theta and rope_scaling into rope_parameters
        JsonNode rope = n.path("rope_parameters").isObject() ? n.path("rope_parameters") : n.path("rope_scaling");
        double theta = n.path("rope_parameters").path("rope_theta").asDouble(n.path("rope_theta").asDouble(10000.0));
        Optional<Llama3RopeScaling> scaling = Optional.empty();
        if (rope.isObject()) {
            String ropeType = rope.path("rope_type").asText(rope.path("type").asText("default"));
            if (ropeType.equals("llama3")) {
                scaling = Optional.of(new Llama3RopeScaling(need(rope, "factor").asDouble(), need(rope, "low_freq_factor").asDouble(),
                        need(rope, "high_freq_factor").asDouble(), need(rope, "original_max_position_embeddings").asInt()));
            } else if (!ropeType.equals("default")) {
                throw new TrainingException("config.json has rope type " + ropeType + ": only default and llama3 are implemented");
            }
        }
        JsonNode headDim = n.get("head_dim");
        return new LlamaConfig(
                hidden,
                need(n, "num_hidden_layers").asInt(),
                heads,
                n.path("num_key_value_heads").isNull() ? heads : n.path("num_key_value_heads").asInt(heads),
                need(n, "intermediate_size").asInt(),
                need(n, "vocab_size").asInt(),
                n.path("max_position_embeddings").asInt(2048),
                theta,
                n.path("rms_norm_eps").asDouble(1e-6),
                n.path("tie_word_embeddings").asBoolean(false),
                headDim == null || headDim.isNull() ? defaultHeadDim(hidden, heads) : headDim.asInt(),
                scaling);
    }

    /** The dtype config.json names for its weights ({@code dtype} or {@code torch_dtype}), if any. */
    public static Optional<String> dtypeOf(Path configJson) {
        try {
            JsonNode n = JSON.readTree(configJson.toFile());
            JsonNode d = n.hasNonNull("dtype") ? n.get("dtype") : n.get("torch_dtype");
            return d == null || d.isNull() ? Optional.empty() : Optional.of(d.asText());
        } catch (IOException e) {
            throw new TrainingException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode need(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new TrainingException("config.json lacks required field " + field);
        return v;
    }

    public void write(Path file) { write(file, "float32"); }

    public void write(Path file, String torchDtype) {
        try {
            Files.writeString(file, toJson(torchDtype));
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
