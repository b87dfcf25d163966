package psyche.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import psyche.train.data.HfTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hugging Face at the border, against Hugging Face's own libraries (Transformers, tokenizers, safetensors from this
 * machine's pip index, in the venv {@code bin/run-tests} creates; {@code PSYCHE_HF_PYTHON} names another python):
 * random Llamas built and saved by Transformers (sharded and not, f32 and bf16, untied/GQA/head_dim/llama3 RoPE and
 * tied/MQA) load here with the same logits; ours load in {@code from_pretrained} without missing or unexpected keys
 * and give the same logits; tokenizer ids and decodes equal the {@code tokenizers} library's on 320 varied strings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlamaModel_HuggingFaceReferenceTest {
    static final double TOLERANCE = 1e-4;
    static final ObjectMapper JSON = new ObjectMapper();
    Path out;
    Path python, script;
    JsonNode reference;

    /** The reference venv's python: PSYCHE_HF_PYTHON, else the one bin/run-tests creates. */
    static Optional<Path> referencePython() {
        String env = System.getenv("PSYCHE_HF_PYTHON");
        Path p = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "psyche", "hf-venv", "bin", "python");
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    @BeforeAll void buildReferences(@TempDir Path dir) throws Exception {
        out = dir;
        Optional<Path> py = referencePython();
        Assumptions.assumeTrue(py.isPresent(), "no Hugging Face reference venv: bin/run-tests creates it (python3 -m venv "
                + "~/.cache/psyche/hf-venv && ~/.cache/psyche/hf-venv/bin/pip install torch transformers tokenizers safetensors), "
                + "or set PSYCHE_HF_PYTHON to a python that has them");
        python = py.get();
        script = out.resolve("hf_reference.py");
        try (InputStream in = getClass().getResourceAsStream("hf_reference.py")) {
            Files.copy(in, script);
        }
        run("make", out.toString(), Path.of("..").toAbsolutePath().normalize().toString());
        reference = JSON.readTree(out.resolve("reference.json").toFile());
        TorchRuntime.noGradOnThisThread();
    }

    String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.environment().put("TRANSFORMERS_OFFLINE", "1");
        pb.environment().put("TQDM_DISABLE", "1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        // stderr to a file: a full pipe must not stall the child
        Path err = out.resolve("stderr-" + args[0] + ".txt");
        p.getOutputStream().close();
        Thread drain = new Thread(() -> {
            try (InputStream e = p.getErrorStream()) {
                Files.copy(e, err, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // the exit status below reports the failure
            }
        });
        drain.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("reference script " + args[0] + " ran over 10 minutes");
        }
        drain.join(10_000);
        String errText = Files.exists(err) ? Files.readString(err) : "";
        assertEquals(0, p.exitValue(), () -> "reference script " + args[0] + " failed:\n" + errText
                .substring(Math.max(0, errText.length() - 4000)));
        return stdout;
    }

    static float[] logits(LlamaModel m, float[] ids, long batch, long len) {
        long[] tokens = new long[ids.length];
        for (int i = 0; i < ids.length; i++) tokens[i] = (long) ids[i];
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray t = m.manager().create(tokens, new Shape(batch, len));
            return m.logits(t).toFloatArray();
        }
    }

    static int[] argmax(float[] logits, int vocab) {
        int[] out = new int[logits.length / vocab];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int v = 1; v < vocab; v++) if (logits[r * vocab + v] > logits[r * vocab + best]) best = v;
            out[r] = best;
        }
        return out;
    }

    @Test void checkpointsSavedByTransformersLoadWithTheSameLogits() {
        int seen = 0;
        for (JsonNode c : reference.get("cases")) {
            Path dir = Path.of(c.get("dir").asText());
            assertEquals(c.get("sharded").asBoolean(), Files.exists(dir.resolve(LlamaModel.INDEX_FILE)), dir.toString());
            Map<String, Safetensors.Tensor> ref = Safetensors.read(dir.resolve("reference.safetensors"));
            Safetensors.Tensor ids = ref.get("ids"), want = ref.get("logits");
            try (LlamaModel m = LlamaModel.load(dir, Device.cpu())) {
                int vocab = m.config().vocabSize();
                float[] got = logits(m, ids.data(), ids.shape()[0], ids.shape()[1]);
                assertEquals(want.data().length, got.length);
                double max = 0;
                for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want.data()[i]));
                final double maxDiff = max;
                assertTrue(maxDiff <= TOLERANCE, () -> dir.getFileName() + ": max logit difference " + maxDiff);
                assertEquals(java.util.Arrays.toString(argmax(want.data(), vocab)), java.util.Arrays.toString(argmax(got, vocab)),
                        dir.getFileName() + ": argmax");
                if (dir.getFileName().toString().startsWith("untied")) {
                    assertEquals(24, m.config().headDim());
                    assertTrue(m.config().ropeScaling().isPresent() && !m.config().tieWordEmbeddings());
                }
            }
            seen++;
        }
        assertEquals(8, seen, "two models x {f32, bf16} x {unsharded, sharded}");
    }

    @Test void checkpointsWeSaveLoadInFromPretrainedWithTheSameLogits() throws Exception {
        LlamaConfig untied = new LlamaConfig(64, 2, 4, 2, 160, 300, 128, 10000.0, 1e-5, false).withHeadDim(24)
                .withRopeScaling(new LlamaConfig.Llama3RopeScaling(8.0, 1.0, 4.0, 32));
        LlamaConfig tied = new LlamaConfig(48, 2, 4, 1, 128, 256, 128, 500000.0, 1e-5, true);
        Path javaDir = out.resolve("java");
        Map<String, Safetensors.Dtype> dtypes = new LinkedHashMap<>();
        int n = 0;
        for (LlamaConfig c : List.of(untied, tied)) {
            try (LlamaModel m = LlamaModel.create(c, Device.cpu(), 7 + n)) {
                for (Safetensors.Dtype dtype : List.of(Safetensors.Dtype.F32, Safetensors.Dtype.BF16)) {
                    for (long shard : new long[] {0, 40_000}) {
                        String name = (c.tieWordEmbeddings() ? "tied" : "untied") + "-" + dtype + (shard > 0 ? "-sharded" : "");
                        Path d = javaDir.resolve(name);
                        m.save(d, dtype, shard);
                        if (c == tied) Files.copy(Path.of("../datasets/tiny/tokenizer.json"), d.resolve("tokenizer.json"));
                        assertEquals(shard > 0, Files.exists(d.resolve(LlamaModel.INDEX_FILE)), name);
                        assertTrue(Files.exists(d.resolve(LlamaModel.GENERATION_CONFIG_FILE)), name);
                        // the logits of the weights as saved (bf16-rounded where saved so), computed in f32 here
                        float[] ids = new float[2 * 40];
                        for (int i = 0; i < ids.length; i++) ids[i] = (i * 37 + 11) % c.vocabSize();
                        try (LlamaModel saved = LlamaModel.load(d, Device.cpu())) {
                            Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
                            t.put("ids", new Safetensors.Tensor(new long[] {2, 40}, ids));
                            t.put("logits", new Safetensors.Tensor(new long[] {2, 40, c.vocabSize()}, logits(saved, ids, 2, 40)));
                            Safetensors.write(d.resolve("java-logits.safetensors"), t, Safetensors.Dtype.F32);
                        }
                        dtypes.put(name, dtype);
                    }
                }
            }
            n++;
        }
        JsonNode results = JSON.readTree(run("check", out.toString()));
        assertEquals(dtypes.keySet(), iterable(results.fieldNames()));
        for (var e : dtypes.entrySet()) {
            JsonNode r = results.get(e.getKey());
            assertEquals(0, r.get("missing").size(), e.getKey() + " missing keys " + r.get("missing"));
            assertEquals(0, r.get("unexpected").size(), e.getKey() + " unexpected keys " + r.get("unexpected"));
            assertEquals(0, r.get("mismatched").size(), e.getKey() + " mismatched " + r.get("mismatched"));
            assertTrue(r.get("max_diff").asDouble() <= TOLERANCE, e.getKey() + ": max logit difference " + r.get("max_diff"));
            assertTrue(r.get("argmax_equal").asBoolean(), e.getKey() + ": argmax");
            if (r.has("tokenizer_round_trip")) assertTrue(r.get("tokenizer_round_trip").asBoolean(), e.getKey() + " AutoTokenizer");
            String written = LlamaConfig.dtypeOf(javaDir.resolve(e.getKey()).resolve(LlamaModel.CONFIG_FILE)).orElseThrow();
            assertEquals(e.getValue().torchName(), written, "config.json names the true dtype");
        }
    }

    static java.util.Set<String> iterable(java.util.Iterator<String> it) {
        java.util.Set<String> s = new java.util.LinkedHashSet<>();
        it.forEachRemaining(s::add);
        return s;
    }

    @Test void tokenizersEncodeAndDecodeAsHuggingFace() {
        JsonNode strings = reference.get("strings");
        assertTrue(strings.size() >= 300, "a few hundred strings");
        assertTrue(reference.get("auto_tokenizer_agrees").asBoolean(), "AutoTokenizer loads datasets/tiny and agrees");
        int compared = 0;
        for (var it = reference.get("tokenizers").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode ref = e.getValue();
            try (HfTokenizer tok = HfTokenizer.load(Path.of(ref.get("file").asText()))) {
                for (int i = 0; i < strings.size(); i++) {
                    String s = strings.get(i).asText();
                    int[] ids = tok.encode(s);
                    String label = e.getKey() + " string " + i + " " + JSON.valueToTree(s);
                    assertEquals(ref.get("ids").get(i).toString(), JSON.valueToTree(ids).toString(), label);
                    assertEquals(ref.get("ids_special").get(i).toString(), JSON.valueToTree(tok.encode(s, true)).toString(), label);
                    assertEquals(ref.get("decoded").get(i).asText(), tok.decode(ids), label + " decode");
                    compared++;
                }
            }
        }
        assertEquals(4 * strings.size(), compared, "tiny, GPT-2, Llama 3 and Llama 2 style tokenizers");
        // the byte-level tokenizers round-trip every string exactly (Llama 2's Strip decoder drops one leading space)
        JsonNode tiny = reference.get("tokenizers").get("tiny");
        for (int i = 0; i < strings.size(); i++) assertEquals(strings.get(i).asText(), tiny.get("decoded").get(i).asText());
    }
}
