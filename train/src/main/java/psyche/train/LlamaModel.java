package psyche.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A Llama-style causal LM (RMSNorm, rotary embeddings, SwiGLU MLP, grouped-query attention) written as a plain
 * function over named parameter tensors. Parameter names and layouts are Hugging Face's ({@code [out, in]} linear
 * weights), so a checkpoint loads in {@code transformers}' {@code LlamaForCausalLM}.
 */
public final class LlamaModel implements AutoCloseable {
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String CONFIG_FILE = "config.json";
    public static final String INDEX_FILE = Safetensors.INDEX_FILE;
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";

    private final LlamaConfig config;
    private final NDManager manager;
    private final FlatParameters params;
    private final Map<Integer, NDArray[]> ropeCache = new HashMap<>();
    /** RMSNorm's epsilon as a tensor of the model: a DJL scalar operand must not enter the autograd graph (see {@link #rope}). */
    private final NDArray rmsNormEps;

    private LlamaModel(LlamaConfig config, NDManager manager, FlatParameters params) {
        this.config = config;
        this.manager = manager;
        this.params = params;
        this.rmsNormEps = manager.create(new float[] {(float) config.rmsNormEps()}, new Shape(1));
        NDScope.unregister(rmsNormEps);
    }

    /** Hugging Face parameter names in a stable order (the order DisTrO results list their parameters). */
    public static List<String> parameterNames(LlamaConfig c) {
        List<String> names = new ArrayList<>();
        names.add("model.embed_tokens.weight");
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            names.add(p + "input_layernorm.weight");
            names.add(p + "self_attn.q_proj.weight");
            names.add(p + "self_attn.k_proj.weight");
            names.add(p + "self_attn.v_proj.weight");
            names.add(p + "self_attn.o_proj.weight");
            names.add(p + "post_attention_layernorm.weight");
            names.add(p + "mlp.gate_proj.weight");
            names.add(p + "mlp.up_proj.weight");
            names.add(p + "mlp.down_proj.weight");
        }
        names.add("model.norm.weight");
        if (!c.tieWordEmbeddings()) names.add("lm_head.weight");
        return names;
    }

    public static long[] parameterShape(LlamaConfig c, String name) {
        long h = c.hiddenSize(), q = (long) c.numAttentionHeads() * c.headDim(), kv = (long) c.numKeyValueHeads() * c.headDim();
        long m = c.intermediateSize();
        if (name.equals("model.embed_tokens.weight") || name.equals("lm_head.weight")) return new long[] {c.vocabSize(), h};
        if (name.endsWith("layernorm.weight") || name.equals("model.norm.weight")) return new long[] {h};
        if (name.endsWith("q_proj.weight")) return new long[] {q, h};
        if (name.endsWith("o_proj.weight")) return new long[] {h, q};
        if (name.endsWith("k_proj.weight") || name.endsWith("v_proj.weight")) return new long[] {kv, h};
        if (name.endsWith("gate_proj.weight") || name.endsWith("up_proj.weight")) return new long[] {m, h};
        if (name.endsWith("down_proj.weight")) return new long[] {h, m};
        throw new IllegalArgumentException("not a Llama parameter: " + name);
    }

    /** Fresh weights: N(0, 0.02) for matrices, ones for norms; the same seed gives the same model on every client. */
    public static LlamaModel create(LlamaConfig config, Device device, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        psyche.reports.ProvenanceLog.seed("model initial weights", seed);
        Map<String, Safetensors.Tensor> init = new LinkedHashMap<>();
        for (String name : parameterNames(config)) {
            long[] shape = parameterShape(config, name);
            float[] data = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            if (shape.length == 1) {
                java.util.Arrays.fill(data, 1f);
            } else {
                for (int i = 0; i < data.length; i++) data[i] = (float) (gaussian(rnd) * 0.02);
            }
            init.put(name, new Safetensors.Tensor(shape, data));
        }
        return fromTensors(config, init, device);
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public static LlamaModel fromTensors(LlamaConfig config, Map<String, Safetensors.Tensor> tensors, Device device) {
        TorchRuntime.engine();
        Map<String, Safetensors.Tensor> ordered = new LinkedHashMap<>();
        for (String name : parameterNames(config)) {
            Safetensors.Tensor t = tensors.get(name);
            long[] want = parameterShape(config, name);
            if (t == null) throw new TrainingException("checkpoint lacks parameter " + name);
            if (!java.util.Arrays.equals(t.shape(), want)) {
                throw new TrainingException("parameter " + name + " has shape " + java.util.Arrays.toString(t.shape())
                        + " but config.json asks for " + java.util.Arrays.toString(want));
            }
            ordered.put(name, t);
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return new LlamaModel(config, manager, FlatParameters.of(manager, ordered));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads a checkpoint directory as Hugging Face writes it: {@code config.json} and either {@code model.safetensors}
     * or shards listed by {@code model.safetensors.index.json}; BF16, F16 or F32 weights.
     */
    public static LlamaModel load(Path dir, Device device) {
        if (!Files.isRegularFile(dir.resolve(CONFIG_FILE))) {
            throw new TrainingException("no checkpoint in " + dir + ": expected " + CONFIG_FILE + " and " + WEIGHTS_FILE
                    + " (or " + INDEX_FILE + " and its shards)");
        }
        LlamaConfig config = LlamaConfig.read(dir.resolve(CONFIG_FILE));
        return fromTensors(config, Safetensors.readCheckpoint(dir), device);
    }

    /** Writes {@code config.json} and {@code model.safetensors} in bf16 (as Psyche checkpoints) with Hugging Face names. */
    public void save(Path dir) {
        save(dir, Safetensors.Dtype.BF16);
    }

    /** Writes {@code config.json} and {@code model.safetensors} in {@code dtype} (F32 reloads exactly) with Hugging Face names. */
    public void save(Path dir, Safetensors.Dtype dtype) {
        save(dir, dtype, 0);
    }

    /**
     * Writes a checkpoint directory as {@code save_pretrained}: {@code config.json} (with the true dtype),
     * {@code generation_config.json}, and the weights in {@code dtype}, in shards of at most {@code maxShardBytes}
     * ({@code model-00001-of-0000N.safetensors} and {@code model.safetensors.index.json}) when it is positive and the
     * weights exceed it, else one {@code model.safetensors}.
     */
    public void save(Path dir, Safetensors.Dtype dtype, long maxShardBytes) {
        write(dir, config, stateDict(), dtype, maxShardBytes);
    }

    /** Writes a checkpoint directory from named tensors (Hugging Face names) in {@code dtype}, unsharded. */
    public static void write(Path dir, LlamaConfig config, Map<String, Safetensors.Tensor> tensors, Safetensors.Dtype dtype) {
        write(dir, config, tensors, dtype, 0);
    }

    /** {@link #save(Path, Safetensors.Dtype, long)} from named tensors. */
    public static void write(Path dir, LlamaConfig config, Map<String, Safetensors.Tensor> tensors, Safetensors.Dtype dtype,
                             long maxShardBytes) {
        try {
            Files.createDirectories(dir);
            // a directory rewritten with another layout must not keep the other one's files
            Files.deleteIfExists(dir.resolve(WEIGHTS_FILE));
            Files.deleteIfExists(dir.resolve(INDEX_FILE));
            try (var old = Files.newDirectoryStream(dir, "model-*-of-*.safetensors")) {
                for (Path p : old) Files.delete(p);
            }
            Files.writeString(dir.resolve(GENERATION_CONFIG_FILE), "{\n  \"_from_model_config\": true\n}\n");
        } catch (java.io.IOException e) {
            throw new TrainingException("cannot write checkpoint directory " + dir + ": " + e.getMessage(), e);
        }
        Safetensors.writeCheckpoint(dir, tensors, dtype, maxShardBytes);
        config.write(dir.resolve(CONFIG_FILE), dtype.torchName());
    }

    public Map<String, Safetensors.Tensor> stateDict() {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, new Safetensors.Tensor(v.getShape().getShape(), v.toFloatArray())));
        return out;
    }

    /** An independent replica on the same device (each client of a session holds its own). */
    public LlamaModel copy() {
        return fromTensors(config, stateDict(), manager.getDevice());
    }

    public LlamaConfig config() { return config; }

    public Device device() { return manager.getDevice(); }

    public NDManager manager() { return manager; }

    /** The live parameter tensors by name, in {@link #parameterNames} order: views of one buffer. */
    public FlatParameters parameters() { return params; }

    /** Logits {@code [B, T, vocab]} for token ids {@code [B, T]} (int64). */
    public NDArray logits(NDArray tokens) {
        NDArray x = hidden(tokens);
        NDArray out = scoped(() -> linear(x, headWeight()));
        x.close();
        return out;
    }

    /**
     * Runs {@code step} in its own {@link NDScope} and keeps only its result: the intermediates it made are freed when
     * it ends rather than at the end of the training step. As in PyTorch, autograd keeps what the backward pass
     * needs (each native handle is a reference; closing ours leaves autograd's), so the values are the same.
     */
    private static NDArray scoped(java.util.function.Supplier<NDArray> step) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = step.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** The lm_head's weight {@code [vocab, hidden]}: the embedding's when they are tied. */
    private NDArray headWeight() {
        return config.tieWordEmbeddings() ? p("model.embed_tokens.weight") : p("lm_head.weight");
    }

    /** The final RMS-normed hidden states {@code [B, T, hidden]} (the lm_head's input) for token ids {@code [B, T]}. */
    private NDArray hidden(NDArray tokens) {
        long b = tokens.getShape().get(0), t = tokens.getShape().get(1);
        NDArray[] rope = rope((int) t);
        NDArray mask = rope[3];
        NDArray x = tokens.getNDArrayInternal().embedding(tokens, p("model.embed_tokens.weight"), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            NDArray in = x;
            int layer = i;
            x = scoped(() -> layer(in, layer, b, t, rope, mask));
            in.close(); // autograd keeps what backward needs: the handle of the layer's input is no longer used here
        }
        NDArray last = x;
        NDArray n = scoped(() -> rmsNorm(last, p("model.norm.weight")));
        x.close();
        return n;
    }

    /**
     * One decoder layer, run {@link #scoped} so its intermediates are freed as the forward pass goes.
     */
    private NDArray layer(NDArray x, int i, long b, long t, NDArray[] rope, NDArray mask) {
        int heads = config.numAttentionHeads(), kvHeads = config.numKeyValueHeads(), d = config.headDim();
        {
            String pre = "model.layers." + i + ".";
            NDArray h = rmsNorm(x, p(pre + "input_layernorm.weight"));
            NDArray q = linear(h, p(pre + "self_attn.q_proj.weight")).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
            NDArray k = linear(h, p(pre + "self_attn.k_proj.weight")).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
            NDArray v = linear(h, p(pre + "self_attn.v_proj.weight")).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
            q = applyRope(q, rope[4], rope[5], rope[2]); // tables with 1/sqrt(d) folded in: the scores come out scaled
            k = applyRope(k, rope[0], rope[1], rope[2]);
            // grouped-query attention without materializing repeated K/V (HF repeat_kv: KV head j serves query heads
            // j*rep .. j*rep+rep-1): each KV head's query heads are stacked along the time axis
            int rep = heads / kvHeads;
            NDArray grouped = q.reshape(b, kvHeads, (long) rep * t, d);
            NDArray kt = k.transpose(0, 1, 3, 2);
            // by groups of samples whose scores [g, heads, T, T] stay under glibc's 32 MiB mmap threshold (3 of 8 x 512
            // at 8 heads), so the scores, probabilities and their gradients come from the heap and are reused rather
            // than mapped and faulted in afresh each step; each sample's products are the same as in one batch
            long per = attentionGroup(heads, t);
            NDList groups = new NDList();
            for (long s0 = 0; s0 < b; s0 += per) {
                long s1 = Math.min(b, s0 + per);
                NDIndex samples = new NDIndex("{}:{}", s0, s1);
                NDArray gq = per >= b ? grouped : grouped.get(samples), gk = per >= b ? kt : kt.get(samples);
                NDArray gv = per >= b ? v : v.get(samples);
                // in place: matmul keeps its inputs for backward, not its output, so the mask goes into the scores
                // without a second [g, heads, T, T] tensor
                NDArray scores = gq.matMul(gk).addi(mask);
                groups.add(scores.softmax(-1).matMul(gv));
            }
            NDArray ctx = groups.size() == 1 ? groups.get(0) : NDArrays.concat(groups);
            NDArray attn = ctx.reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
            x = x.add(linear(attn, p(pre + "self_attn.o_proj.weight")));
            NDArray g = rmsNorm(x, p(pre + "post_attention_layernorm.weight"));
            NDArray gate = linear(g, p(pre + "mlp.gate_proj.weight"));
            NDArray up = linear(g, p(pre + "mlp.up_proj.weight"));
            x = x.add(linear(gate.mul(Activation.sigmoid(gate)).mul(up), p(pre + "mlp.down_proj.weight")));
        }
        return x;
    }

    /**
     * The largest tensor the step makes on purpose: under 32 MiB, glibc's largest mmap threshold (less 64 KiB for its
     * headers), so such tensors come from the heap and are reused instead of being mapped and faulted in every step.
     */
    private static final long HEAP_TENSOR_BYTES = (32L << 20) - (64L << 10);

    /** Samples per attention group: the most whose f32 scores {@code [g, heads, T, T]} stay under 32 MiB (at least 1). */
    static long attentionGroup(int heads, long t) {
        return Math.max(1, HEAP_TENSOR_BYTES / (4L * heads * t * t));
    }

    /**
     * Mean next-token cross-entropy of {@code samples} ({@code [B, L+1]} token ids: inputs then shifted targets) through
     * whole logits and autograd: the reference for the fused head of {@link #forwardBackward} and {@link #evalLoss}.
     */
    public NDArray loss(NDArray samples) {
        NDArray inputs = inputs(samples), targets = targets(samples);
        // scoped: frees the logits and log-probabilities (0.5 GB each at 8 x 512) early
        return scoped(() -> logits(inputs).logSoftmax(-1).gather(targets.expandDims(-1), -1).mean().neg());
    }

    /** The inputs {@code [B, L]} of next-token samples {@code [B, L+1]}. */
    private static NDArray inputs(NDArray samples) {
        return samples.get(new NDIndex(":, 0:{}", samples.getShape().get(1) - 1));
    }

    /** The targets {@code [B, L]} of next-token samples {@code [B, L+1]}: the inputs shifted by one. */
    private static NDArray targets(NDArray samples) {
        return samples.get(new NDIndex(":, 1:"));
    }

    /**
     * Rows of the fused head per chunk: the largest multiple of 64 whose f32 logits {@code [rows, vocab]} stay under
     * 32 MiB, glibc's largest mmap threshold, so each chunk's logits, probabilities and weight-gradient product come
     * from the heap and are reused, rather than being mapped and faulted in afresh (as the whole {@code [B*T, vocab]}
     * tensors are: 0.5 GB each at 8 x 512 with a 32,000-token vocabulary).
     */
    static int headChunkRows(long vocab) {
        long rows = HEAP_TENSOR_BYTES / (4L * vocab) / 64 * 64;
        return (int) Math.max(1, Math.min(rows, 1 << 20));
    }

    /** The fused head's result: the mean loss, and when asked its gradients with respect to h and the head weight. */
    private record Head(NDArray loss, NDArray dh, NDArray dw) {}

    /**
     * lm_head and cross-entropy fused, in chunks of {@code rows} rows, with a hand-written backward: for each chunk,
     * {@code logp = log_softmax(h_c W^T)}, its target entries (the loss: their mean, negated, as {@link #loss}), and
     * with {@code grad} {@code dlogits = (softmax - onehot) / N} right away, giving {@code dh_c = dlogits W} and adding
     * {@code dlogits^T h_c} to {@code dW}. The same products as autograd's linear/log_softmax/gather/mean backward;
     * only {@code dW}'s sum over rows is split by chunk. {@code h} {@code [N, hidden]} and {@code w} are detached.
     */
    private Head fusedHead(NDArray h, NDArray w, NDArray targets, boolean grad, int rows) {
        long n = h.getShape().get(0), v = w.getShape().get(0);
        NDList picked = new NDList(), dhs = new NDList();
        NDArray dw = grad ? w.zerosLike() : null;
        NDArray invN = manager.create(new float[] {1f / n}, new Shape(1));
        NDArray one = manager.create(new float[] {1f}, new Shape(1));
        for (long r0 = 0; r0 < n; r0 += rows) {
            long r1 = Math.min(n, r0 + rows);
            try (NDScope chunk = new NDScope()) {
                chunk.suppressNotUsedWarning();
                NDArray hc = h.get(new NDIndex("{}:{}", r0, r1));
                NDArray tc = targets.get(new NDIndex("{}:{}", r0, r1));
                NDArray logp = linear(hc, w).logSoftmax(-1);
                NDArray pick = logp.gather(tc.expandDims(-1), -1);
                NDScope.unregister(pick);
                picked.add(pick);
                if (grad) {
                    NDArray d = logp.exp().reshape(-1); // softmax
                    logp.close(); // its memory serves the next chunk
                    NDArray at = manager.arange(0, (int) ((r1 - r0) * v), (int) v, DataType.INT64).addi(tc);
                    NDIndex targetEntries = new NDIndex("{}", at);
                    d.set(targetEntries, d.get(targetEntries).subi(one));
                    d = d.reshape(r1 - r0, v).muli(invN);
                    NDArray dhc = d.matMul(w);
                    NDScope.unregister(dhc);
                    dhs.add(dhc);
                    dw.addi(d.transpose().matMul(hc));
                }
            }
        }
        NDArray loss = NDArrays.concat(picked).mean().neg();
        picked.close();
        NDArray dh = grad ? NDArrays.concat(dhs) : null;
        dhs.close();
        return new Head(loss, dh, dw);
    }

    /** DJL's PyTorch engine allows one gradient collector per JVM: sessions running side by side take turns. */
    private static final Object GRADIENT_COLLECTOR = new Object();

    /** Forward and backward on {@code samples}; gradients are left in the parameters. Returns the loss. */
    public float forwardBackward(int[][] samples) {
        return forwardBackward(samples, () -> {});
    }

    /** {@link #forwardBackward(int[][])} running {@code betweenPasses} after the forward pass (tests). */
    float forwardBackward(int[][] samples, Runnable betweenPasses) {
        return forwardBackward(samples, betweenPasses, headChunkRows(config.vocabSize()));
    }

    /** {@link #forwardBackward(int[][], Runnable)} with the fused head in chunks of {@code chunkRows} rows (tests). */
    float forwardBackward(int[][] samples, Runnable betweenPasses, int chunkRows) {
        synchronized (GRADIENT_COLLECTOR) {
            return forwardBackwardAlone(samples, betweenPasses, chunkRows);
        }
    }

    /**
     * Forward and backward through whole logits and autograd ({@link #loss}): the reference the fused head must equal
     * within float tolerance (tests).
     */
    float forwardBackwardUnfused(int[][] samples) {
        synchronized (GRADIENT_COLLECTOR) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    NDArray loss = loss(tokens(samples));
                    gc.backward(loss);
                    return loss.getFloat();
                }
            }
        }
    }

    /**
     * Autograd stops at the final normed hidden states {@code h}: the fused head gives the loss and {@code dL/dh},
     * {@code dL/dW} of the lm_head weight; the backward pass then starts from {@code sum(h * dh) + sum(W * dW)}, whose
     * gradients are exactly {@code dh} and {@code dW} (added to the embedding's gradient when the weights are tied).
     */
    private float forwardBackwardAlone(int[][] samples, Runnable betweenPasses, int chunkRows) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray batch = tokens(samples);
            NDArray inputs = inputs(batch), targets = targets(batch).reshape(-1);
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                NDArray h = hidden(inputs);
                NDArray w = headWeight();
                Head head = fusedHead(h.stopGradient().reshape(-1, config.hiddenSize()), w.stopGradient(), targets, true, chunkRows);
                betweenPasses.run();
                NDArray target = h.mul(head.dh().reshape(h.getShape())).sum().add(w.mul(head.dw()).sum());
                gc.backward(target);
                return head.loss().getFloat();
            }
        }
    }

    /** Evaluation loss without gradients (the fused head of {@link #forwardBackward}, without its backward). */
    public float evalLoss(int[][] samples) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray batch = tokens(samples);
            NDArray inputs = inputs(batch), targets = targets(batch).reshape(-1);
            NDArray h = hidden(inputs).reshape(-1, config.hiddenSize());
            return fusedHead(h, headWeight(), targets, false, headChunkRows(config.vocabSize())).loss().getFloat();
        }
    }

    /** Clears the accumulated gradients (one native call per parameter; none before the first backward). */
    public void zeroGradients() {
        for (NDArray a : params.values()) JniUtils.zeroGrad((PtNDArray) a);
    }

    /**
     * Continues {@code prompt} by {@code n} tokens: greedy when {@code temperature <= 0}, else sampled from
     * softmax(logits / temperature) with {@code seed}.
     */
    public int[] sample(int[] prompt, int n, double temperature, long seed) {
        if (prompt.length == 0) throw new TrainingException("sampling needs a prompt of at least one token");
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] out = java.util.Arrays.copyOf(prompt, prompt.length + n);
        int len = prompt.length;
        for (int step = 0; step < n; step++) {
            int from = Math.max(0, len - config.maxPositionEmbeddings());
            int[] window = java.util.Arrays.copyOfRange(out, from, len);
            float[] last;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray ids = manager.create(toLong(window), new Shape(1, window.length));
                NDArray logits = logits(ids).get(new NDIndex("0, -1"));
                last = logits.toType(DataType.FLOAT32, false).toFloatArray();
            }
            out[len++] = temperature <= 0 ? argmax(last) : sampleFrom(last, temperature, rnd);
        }
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static int sampleFrom(float[] logits, double temperature, SplittableRandom rnd) {
        double max = Double.NEGATIVE_INFINITY;
        for (float f : logits) max = Math.max(max, f);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp((logits[i] - max) / temperature);
        double u = rnd.nextDouble() * sum;
        for (int i = 0; i < p.length; i++) if ((u -= p[i]) <= 0) return i;
        return p.length - 1;
    }

    /** Token ids as an int64 tensor in the current scope. */
    public NDArray tokens(int[][] samples) {
        int cols = samples[0].length;
        long[] flat = new long[samples.length * cols];
        for (int r = 0; r < samples.length; r++) {
            if (samples[r].length != cols) throw new TrainingException("samples of a batch must have equal length");
            for (int c = 0; c < cols; c++) {
                int tok = samples[r][c];
                if (tok < 0 || tok >= config.vocabSize()) {
                    throw new TrainingException("token id " + tok + " is outside the model's vocabulary of "
                            + config.vocabSize() + ": the dataset was tokenized with a different tokenizer; use a "
                            + "model whose vocab_size covers it");
                }
                flat[r * cols + c] = tok;
            }
        }
        return manager.create(flat, new Shape(samples.length, cols));
    }

    private static long[] toLong(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }

    private NDArray p(String name) { return params.get(name); }

    /** {@code x @ weight^T} in one native call (torch's linear), one fewer than matmul of a transposed view. */
    private static NDArray linear(NDArray x, NDArray weight) {
        return x.getNDArrayInternal().linear(x, weight, null).singletonOrThrow();
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(rmsNormEps).sqrt();
        return x.div(rms).mul(weight);
    }

    /**
     * HF's rotate_half convention: the two halves of each head are the (real, imaginary) pairs;
     * {@code rotate_half(x) = concat(-x2, x1)} is a product with the fixed signed permutation {@code rotateHalf}.
     */
    private static NDArray applyRope(NDArray x, NDArray cos, NDArray sin, NDArray rotateHalf) {
        return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
    }

    /** {@code R} ({@code d x d}, row-major) with {@code x R = rotate_half(x) = concat(-x[d/2:], x[:d/2])}. */
    static float[] rotateHalfMatrix(int d) {
        float[] rotate = new float[d * d];
        for (int i = 0; i < d / 2; i++) {
            rotate[(i + d / 2) * d + i] = -1f; // out[i] = -x[i + d/2]
            rotate[i * d + i + d / 2] = 1f;    // out[i + d/2] = x[i]
        }
        return rotate;
    }

    /**
     * cos, sin {@code [T, headDim]}, the rotate_half matrix {@code [headDim, headDim]}, the causal mask for the
     * grouped attention {@code [rep*T, T]} (the mask of {@code [T, T]} repeated for each query head of a KV head), and
     * cos, sin times the attention scale {@code 1/sqrt(headDim)} for the queries, cached per length in the model's
     * manager.
     *
     * <p>The scale lives in these tables rather than in a {@code div(Number)} on the scores: DJL makes a scalar
     * operand from a direct buffer it frees (at the next garbage collection) right after the forward op, while
     * autograd keeps the operand for the backward pass, which then reads freed memory (wrong or infinite gradients
     * whenever the JVM collects between forward and backward). Nothing in the graph may be such a scalar.
     */
    private synchronized NDArray[] rope(int t) {
        return ropeCache.computeIfAbsent(t, len -> {
            int d = config.headDim(), rep = config.numAttentionHeads() / config.numKeyValueHeads();
            float[] cos = new float[len * d], sin = new float[len * d], mask = new float[rep * len * len];
            float[] cosQ = new float[len * d], sinQ = new float[len * d];
            float scale = (float) (1.0 / Math.sqrt(d));
            float[] rotate = rotateHalfMatrix(d);
            for (int pos = 0; pos < len; pos++) {
                for (int i = 0; i < d / 2; i++) {
                    // f32 like Transformers' rotary embedding (inv_freq and position products in float32)
                    float angle = pos * (float) config.invFreq(i);
                    cos[pos * d + i] = cos[pos * d + i + d / 2] = (float) Math.cos(angle);
                    sin[pos * d + i] = sin[pos * d + i + d / 2] = (float) Math.sin(angle);
                }
                for (int r = 0; r < rep; r++) {
                    for (int j = pos + 1; j < len; j++) mask[(r * len + pos) * len + j] = Float.NEGATIVE_INFINITY;
                }
            }
            for (int i = 0; i < cos.length; i++) {
                cosQ[i] = cos[i] * scale;
                sinQ[i] = sin[i] * scale;
            }
            NDArray[] r = {manager.create(cos, new Shape(len, d)), manager.create(sin, new Shape(len, d)),
                    manager.create(rotate, new Shape(d, d)), manager.create(mask, new Shape((long) rep * len, len)),
                    manager.create(cosQ, new Shape(len, d)), manager.create(sinQ, new Shape(len, d))};
            for (NDArray a : r) NDScope.unregister(a);
            return r;
        });
    }

    @Override public void close() {
        manager.close();
    }
}
