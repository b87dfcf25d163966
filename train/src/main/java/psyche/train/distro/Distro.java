package psyche.train.distro;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import psyche.config.Optimizer;
import psyche.train.FlatParameters;
import psyche.train.TorchRuntime;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * The DisTrO (DeMo) optimizer of one client, as Psyche's {@code shared/modeling/src/distro.rs}: a residual
 * {@code delta} per parameter accumulates {@code lr * grad}; its top-k DCT coefficients are shared; the mean of all
 * shared coefficients, transformed back, gives the sign-SGD step that every client applies.
 *
 * <p>Per step: {@link #errorCorrection} before the forward pass, forward/backward, {@link #clipGradients},
 * {@link #generate} (returns this client's result), exchange, {@link #apply} with every result of the round.
 *
 * <p>Cost: on small models a native call or a pass over memory costs more than the arithmetic, so the work is laid
 * out to need few of either. The parameters are views of one buffer ({@link FlatParameters}) and the residual has the
 * same layout. The buffer keeps parameters of equal shape next to each other; a {@link Run} of neighbours with the
 * same tile and column count is one matrix, whose tiles go through the DCT with two matrix products, in place (no
 * gather into tile order, before or after); top-k runs in Java, gathering each tile from its row block in the
 * tensor's memory. The two inverse transforms of a step (the round's mean, and this client's result, which the next
 * step takes out of the residual) are computed together in {@link #apply} from their few nonzero coefficients
 * ({@code m} multiply-adds per element instead of the dense inverse's {@code c1 + c2}).
 *
 * <p>On the CPU ({@link HostSteps}) the residual lives in a Java array and each element-wise phase is one pass, the
 * parameters read and written in cache-sized blocks, the sparse inverse transforms in Java too: only the DCT (matrix
 * products) and dense inverses run in PyTorch. On a GPU, and for a
 * model whose arrays would crowd the Java heap, {@link TensorSteps} keeps every step as tensor operations on the device.
 */
public final class Distro implements AutoCloseable {
    private final Optimizer.Distro config;
    private final FlatParameters params;
    private final List<long[]> xshapes = new ArrayList<>();
    private final NDManager manager;
    private final DctTransform transform;
    private final List<Run> runs = new ArrayList<>();
    private final Steps steps;
    private List<CompressedTensor> ownPrevious;
    private NDList gradViews;           // each parameter's gradient, flattened, in buffer order (taken once)

    /**
     * Neighbouring parameters in the buffer ({@code members}, in buffer order) with the same in-tile shape and column
     * count: the matrix {@code [rows, cols]} at {@code start} (1-D: {@code cols = 1}), cut into tiles {@code tile}
     * ({@code {c1, c2}} or {@code {c}}), numbered row-major. Member {@code j}'s tiles start at {@code firstTile[j]};
     * its tiles in the spec's order are the run's tiles from there, since a member spans whole rows of tiles.
     */
    private record Run(long start, long rows, long cols, long[] tile, int[] members, int[] firstTile) {
        int totalk() { return size(tile); }
        long end() { return start + rows * cols; }
        /** Tiles along a row of the matrix ({@code cols / c2}; 1 for 1-D). */
        long tilesAcross() { return tile.length == 2 ? cols / tile[1] : 1; }
        int tiles() { return (int) (rows * cols / totalk()); }
    }

    /** Values in one tile of in-tile shape {@code tile}. */
    private static int size(long[] tile) { return (int) Arrays.stream(tile).reduce(1, (a, b) -> a * b); }

    /** {@code params} must be a model's {@link FlatParameters} (views of one buffer, see {@code LlamaModel#parameters}). */
    public Distro(Optimizer.Distro config, Map<String, NDArray> params, NDManager parent) {
        this(config, params, parent, false);
    }

    /**
     * {@code tensorSteps}: the element steps as tensor operations even on the CPU (as on a GPU), so that tests check
     * both forms against the reference.
     */
    Distro(Optimizer.Distro config, Map<String, NDArray> params, NDManager parent, boolean tensorSteps) {
        if (!(params instanceof FlatParameters flat)) {
            throw new IllegalArgumentException("DisTrO needs the parameters as views of one buffer: pass "
                    + "LlamaModel.parameters() or FlatParameters.of(manager, tensors)");
        }
        this.config = config;
        this.params = flat;
        this.manager = parent.newSubManager();
        this.transform = new DctTransform(manager, config.compressionChunk());
        for (int i = 0; i < flat.size(); i++) xshapes.add(transform.tileShape(flat.shape(i)));
        List<Integer> members = new ArrayList<>();
        for (int i : flat.bufferOrder()) {
            if (!members.isEmpty() && !continuesRun(members, i)) {
                runs.add(run(members));
                members.clear();
            }
            members.add(i);
        }
        if (!members.isEmpty()) runs.add(run(members));
        this.steps = !tensorSteps && hostStepsFit(flat) ? new HostSteps() : new TensorSteps();
    }

    /**
     * Whether the CPU form suits these parameters: they live on the CPU and its Java arrays (six floats per parameter)
     * take at most a quarter of the heap. A model too large for that keeps its state in native memory as tensors,
     * where per-call overhead no longer matters next to the arithmetic.
     */
    private static boolean hostStepsFit(FlatParameters flat) {
        long hostBytes = 6L * Float.BYTES * flat.elementCount();
        return Device.cpu().equals(flat.flat().getDevice()) && hostBytes <= Runtime.getRuntime().maxMemory() / 4;
    }

    private static long columns(long[] shape) { return shape.length == 2 ? shape[1] : 1; }

    /** Whether parameter {@code i} lies right after the run's last member with the same tile and column count. */
    private boolean continuesRun(List<Integer> run, int i) {
        int last = run.get(run.size() - 1);
        return params.offset(i) == params.offset(last) + params.size(last)
                && Arrays.equals(DctTransform.inTile(xshapes.get(i)), DctTransform.inTile(xshapes.get(last)))
                && columns(params.shape(i)) == columns(params.shape(last));
    }

    private Run run(List<Integer> members) {
        int first = members.get(0);
        long[] tile = DctTransform.inTile(xshapes.get(first));
        long cols = columns(params.shape(first)), rows = 0;
        int[] firstTile = new int[members.size()];
        int tiles = 0;
        for (int j = 0; j < members.size(); j++) {
            firstTile[j] = tiles;
            tiles += CompressedTensor.rows(xshapes.get(members.get(j)));
            rows += params.shape(members.get(j))[0];
        }
        return new Run(params.offset(first), rows, cols, tile, members.stream().mapToInt(Integer::intValue).toArray(),
                firstTile);
    }

    private static NDArray keep(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    public DctTransform transform() { return transform; }

    /** Residual of parameter {@code i} (in the order of the parameter map); for tests and diagnostics. */
    public float[] delta(int i) {
        return steps.delta(params.offset(i), params.offset(i) + params.size(i));
    }

    /** Step 1: {@code x -= prevLr * sign(delta)}, the look-ahead used for the forward pass. */
    public void errorCorrection(double prevLr) {
        TorchRuntime.noGradOnThisThread();
        steps.errorCorrection(prevLr);
    }

    /**
     * Global grad-norm clipping when configured ({@code clip_grad_norm > 0}), as torch's {@code clip_grad_norm_}
     * (scale by {@code max/(norm+1e-6)} when above); returns the norm before clipping, NaN when not configured.
     */
    public double clipGradients() {
        float max = config.clipGradNorm().orElse(0f);
        if (max <= 0) return Double.NaN;
        TorchRuntime.noGradOnThisThread();
        return steps.clip(max);
    }

    /**
     * Each parameter's gradient, flattened, in buffer order. Taken once: after the first backward PyTorch accumulates
     * into the same gradient tensors (and {@code LlamaModel.zeroGradients} zeroes them in place).
     */
    private NDList gradViews() {
        if (gradViews == null) {
            List<NDArray> views = new ArrayList<>(params.values());
            NDList flat = new NDList(params.size());
            for (int i : params.bufferOrder()) {
                try (NDArray g = views.get(i).getGradient()) {
                    flat.add(keep(g.reshape(-1)));
                }
            }
            gradViews = flat;
        }
        return gradViews;
    }

    /**
     * Step 2: undo the look-ahead, remove what this client shared last round, weight decay, decay the residual, add
     * {@code lr * grad}, and compress. Returns the result to share (sign values when {@code quantize_1bit}).
     */
    public List<CompressedTensor> generate(double prevLr, double lr) {
        TorchRuntime.noGradOnThisThread();
        CompressedTensor[] full = new CompressedTensor[params.size()];
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            compressAll(steps.accumulate(prevLr, lr, ownPrevious != null), full);
        }
        ownPrevious = List.of(full);
        if (!config.quantize1bit()) return ownPrevious;
        List<CompressedTensor> signs = new ArrayList<>(full.length);
        for (CompressedTensor c : full) signs.add(c.quantize());
        return signs;
    }

    /**
     * DCT of every run's residual tiles (two matrix products per run), then top-k per tile in Java on the coefficients,
     * read back run by run; the entries are split per parameter.
     */
    private void compressAll(NDArray delta, CompressedTensor[] out) {
        NDList coefficients = new NDList(runs.size());
        for (Run r : runs) {
            long[] tile = r.tile();
            NDArray residual = delta.get(new NDIndex().addSliceDim(r.start(), r.end()));
            coefficients.add((tile.length == 2 ? transform.encodeMatrix(residual, r.rows(), r.cols(), tile[0], tile[1])
                    : transform.encodeTiles(residual.reshape(r.tiles(), tile[0]))).reshape(-1));
        }
        int run = 0;
        for (Run r : runs) {
            long[] tile = r.tile();
            // one row of tiles per tile: [tiles, 1, c1, c2] (or [tiles, c]) is a tile shape DistroCodec reads;
            // top-k reads the coefficients from the tensor's memory, where encodeMatrix left them in matrix layout
            long[] stacked = tile.length == 2 ? new long[] {r.tiles(), 1, tile[0], tile[1]} : new long[] {r.tiles(), tile[0]};
            CompressedTensor top = DistroCodec.compress(memory(coefficients.get(run++)), 0, stacked, config.compressionTopk(),
                    (int) r.tilesAcross());
            int k = top.k();
            for (int j = 0; j < r.members().length; j++) {
                int i = r.members()[j];
                int first = r.firstTile()[j] * k, last = first + CompressedTensor.rows(xshapes.get(i)) * k;
                out[i] = new CompressedTensor(xshapes.get(i), top.totalk(), k, Arrays.copyOfRange(top.indices(), first, last),
                        Arrays.copyOfRange(top.values(), first, last), false);
            }
        }
    }

    /** Entries per tile of the results for every member of the run (equal for all of them, else the results are not this model's). */
    private int entriesPerTile(Run g, IntFunction<List<CompressedTensor>> resultsOf) {
        int m = -1;
        for (int member : g.members()) {
            int entries = 0;
            for (CompressedTensor r : resultsOf.apply(member)) {
                if (r.totalk() != g.totalk() || r.rows() != CompressedTensor.rows(xshapes.get(member))) {
                    throw new IllegalArgumentException("result does not match parameter " + member + ": " + r
                            + " vs tiles " + Arrays.toString(xshapes.get(member)));
                }
                entries += r.k();
            }
            if (m >= 0 && entries != m) {
                throw new IllegalArgumentException("results disagree on top-k: " + entries + " vs " + m + " entries per tile");
            }
            m = entries;
        }
        return m;
    }

    /** Whether {@code m} entries per tile of run {@code g} decode sparsely: {@code 2m} vs {@code 2(c1+c2)} multiply-adds per element. */
    private static boolean sparse(Run g, int m) {
        long[] tile = matrixTile(g.tile());
        return m < tile[0] + tile[1];
    }

    /**
     * One layer of one run by a dense inverse DCT of the mean-scattered coefficients (cheaper when entries are many),
     * {@code [elements]} in buffer layout.
     */
    private NDArray denseDecode(Run g, IntFunction<List<CompressedTensor>> resultsOf) {
        int totalk = g.totalk();
        float[] dense = new float[g.tiles() * totalk];
        int[] count = new int[dense.length];
        for (int j = 0; j < g.members().length; j++) {
            for (CompressedTensor r : resultsOf.apply(g.members()[j])) {
                for (int e = 0; e < r.indices().length; e++) {
                    int at = (g.firstTile()[j] + e / r.k()) * totalk + checkedIndex(r, e);
                    dense[at] += r.values()[e];
                    count[at]++;
                }
            }
        }
        for (int i = 0; i < dense.length; i++) if (count[i] > 1) dense[i] /= count[i];
        long[] tile = g.tile();
        long[] shape = tile.length == 2 ? new long[] {g.tiles(), tile[0], tile[1]} : new long[] {g.tiles(), tile[0]};
        NDArray tiles = transform.decodeTiles(manager.create(dense, new Shape(shape)));
        return toLayout(tiles, g, 1).reshape(-1);
    }

    /** Entry {@code e}'s position in its tile, checked: a result from a peer must not reach outside its tile. */
    private static int checkedIndex(CompressedTensor r, int e) {
        int pos = r.indices()[e];
        if (pos < 0 || pos >= r.totalk()) {
            throw new IllegalArgumentException("result names coefficient " + pos + " of a tile of " + r.totalk());
        }
        return pos;
    }

    /** Tiles {@code [layers, tiles, c1, c2]} of a run (1-D: {@code c2 = 1}) as rows of its matrix, {@code [layers, elements]}. */
    private static NDArray toLayout(NDArray tiles, Run g, int layers) {
        long[] tile = matrixTile(g.tile());
        long elements = g.rows() * g.cols();
        if (g.tilesAcross() == 1) return tiles.reshape(layers, elements);
        return tiles.reshape(layers, g.rows() / tile[0], g.tilesAcross(), tile[0], tile[1]).transpose(0, 1, 3, 2, 4)
                .reshape(layers, elements);
    }

    /** A tile as {@code {c1, c2}}; a 1-D tile {@code {c}} is {@code {c, 1}} (the DCT of size 1 is the identity). */
    private static long[] matrixTile(long[] tile) {
        return tile.length == 2 ? tile : new long[] {tile[0], 1};
    }

    /**
     * Zeroes every residual and forgets this client's last result: the start of a cold-start epoch (Psyche zeroes
     * the DisTrO state at round height 0 of such an epoch).
     */
    public void resetState() {
        TorchRuntime.noGradOnThisThread();
        steps.reset();
        forgetOwnResult();
    }

    /** Forgets this client's last result, for a round whose consensus did not include it. */
    public void forgetOwnResult() {
        ownPrevious = null;
        steps.forgetOwnDecoded();
    }

    private IntFunction<List<CompressedTensor>> ownLayer() {
        List<CompressedTensor> own = ownPrevious;
        return member -> List.of(own.get(member));
    }

    /**
     * Step 4: for every parameter, mean-scatter all results' coefficients, inverse DCT, sign, and
     * {@code x -= lr * sign}. {@code results} holds one list per client, each in parameter order.
     */
    public void apply(List<List<CompressedTensor>> results, double lr) {
        if (results.isEmpty()) return;
        for (List<CompressedTensor> r : results) {
            if (r.size() != params.size()) {
                throw new IllegalArgumentException("a result lists " + r.size() + " parameters, the model has " + params.size());
            }
        }
        TorchRuntime.noGradOnThisThread();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            steps.apply(member -> {
                List<CompressedTensor> forParam = new ArrayList<>(results.size());
                for (List<CompressedTensor> r : results) forParam.add(r.get(member));
                return forParam;
            }, lr);
        }
    }

    /** A buffer over a contiguous CPU tensor's own memory: what is written to it is written to the tensor. */
    private static FloatBuffer memory(NDArray a) {
        return a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * {@link #memory} of a tensor that outlives every use of the buffer; fails unless the buffer is the tensor's own
     * memory (DJL copies a non-contiguous tensor instead).
     */
    private static FloatBuffer sharedMemory(NDArray a) {
        FloatBuffer view = memory(a);
        float was = view.get(0), probe = Float.intBitsToFloat(Float.floatToRawIntBits(was) ^ 1);
        view.put(0, probe);
        boolean shared = Float.floatToRawIntBits(a.getFloat(0)) == Float.floatToRawIntBits(probe);
        view.put(0, was);
        if (!shared) throw new IllegalStateException("DisTrO needs contiguous CPU tensors, got " + a.getShape() + " on " + a.getDevice());
        return view;
    }

    /**
     * The residual and the element-wise steps. Both forms decode, in {@code apply}, this client's own result beside
     * the round's mean when the next {@code generate} will take it out of the residual, so each round pays for one
     * decoding pass.
     */
    private interface Steps extends AutoCloseable {
        void errorCorrection(double prevLr);
        double clip(float max);
        /** generate's element steps ({@code subtractOwn}: take this client's last result out); returns the residual to compress. */
        NDArray accumulate(double prevLr, double lr, boolean subtractOwn);
        void apply(IntFunction<List<CompressedTensor>> round, double lr);
        float[] delta(long from, long to);
        void reset();
        void forgetOwnDecoded();
        @Override void close();
    }

    /**
     * CPU: the residual, the gradients and the decoded mean and own result live in Java arrays, and each phase is one
     * loop over them; the parameters, gradients and the DCT's input are read and written through buffers over their
     * memory (taken once), so these phases make no native call. Sparse inverse transforms run in Java straight into the
     * buffer layout; the DCT and dense inverses in PyTorch.
     */
    private final class HostSteps implements Steps {
        private final float[] delta, x, grads, mean, own;
        private final NDArray residual;     // the DCT's input: delta written in as accumulate computes it
        private final FloatBuffer xs, residualMemory;
        private List<FloatBuffer> gradMemory;
        private int[] gradStart;            // where each gradient buffer starts in the buffer layout
        private boolean gradsRead;          // grads holds this step's gradients (clip read them)
        private float gradScale = 1f;       // the clip factor of those gradients (1: not clipped)
        private boolean ownDecoded;         // own holds ownPrevious transformed back
        private final Map<Integer, float[][]> basis = new HashMap<>(); // DCT basis [vector][position] per tile side

        HostSteps() {
            int n = Math.toIntExact(params.elementCount());
            delta = new float[n];
            x = new float[n];
            grads = new float[n];
            mean = new float[n];
            own = new float[n];
            residual = keep(manager.zeros(new Shape(n), DataType.FLOAT32));
            residualMemory = sharedMemory(residual);
            xs = sharedMemory(params.flat());
        }

        /** The buffers over the parameters' memory are valid only while the model is open. */
        private void requireOpenModel() {
            if (params.flat().isReleased()) {
                throw new IllegalStateException("the model was closed before its DisTrO optimizer: close the Distro first");
            }
        }

        /**
         * {@code body} over the parameters in blocks of at most {@link #BLOCK} elements, on PyTorch's thread count:
         * each block is read from the parameters' memory into {@code x} (at the same positions, which keeps the loops
         * vectorized), changed by {@code body(first, end)} while it is in the cache and written back. One pass over
         * the parameters' memory instead of a copy to the heap, a loop and a copy back.
         */
        private void onParameterBlocks(BlockBody body) {
            int n = x.length;
            Parallel.forRange(n, n, (from, to) -> {
                for (int at = from; at < to; at += BLOCK) {
                    int end = Math.min(to, at + BLOCK);
                    xs.get(at, x, at, end - at);
                    body.run(at, end);
                    xs.put(at, x, at, end - at);
                }
            });
        }

        @Override public void errorCorrection(double prevLr) {
            requireOpenModel();
            gradsRead = false;
            gradScale = 1f;
            float step = (float) prevLr;
            onParameterBlocks((first, end) -> {
                for (int i = first; i < end; i++) x[i] -= step * sign(delta[i]);
            });
        }

        private List<FloatBuffer> gradMemory() {
            requireOpenModel();
            if (gradMemory == null) { // on the calling thread, before any parallel pass reads them
                List<FloatBuffer> memory = new ArrayList<>();
                for (NDArray g : gradViews()) memory.add(sharedMemory(g));
                gradStart = new int[memory.size()];
                for (int b = 1; b < gradStart.length; b++) gradStart[b] = gradStart[b - 1] + memory.get(b - 1).capacity();
                gradMemory = memory;
            }
            return gradMemory;
        }

        /** Gradients {@code [first, end)} of the buffer layout into {@code grads[first, end)}. */
        private void readGradients(int first, int end) {
            List<FloatBuffer> memory = gradMemory();
            int b = Arrays.binarySearch(gradStart, first);
            if (b < 0) b = -b - 2;
            for (int at = first; at < end; b++) {
                FloatBuffer g = memory.get(b);
                int from = at - gradStart[b], part = Math.min(end - at, g.capacity() - from);
                g.get(from, grads, at, part);
                at += part;
            }
        }

        @Override public double clip(float max) {
            // torch's clip_grad_norm_ of the gradients in buffer order, summed block by block as they are read; the
            // scaling happens where accumulate uses them
            GradClip.SquareSum sum = new GradClip.SquareSum();
            int n = grads.length;
            for (int at = 0; at < n; at += BLOCK) {
                int end = Math.min(n, at + BLOCK);
                readGradients(at, end);
                sum.add(grads, at, end, n);
            }
            gradsRead = true;
            double norm = sum.norm(), coef = GradClip.coefficient(norm, max);
            gradScale = coef < 1.0 ? (float) coef : 1f;
            return norm;
        }

        @Override public NDArray accumulate(double prevLr, double lr, boolean subtractOwn) {
            requireOpenModel();
            boolean read = gradsRead;
            gradMemory();
            float scale = gradScale;
            boolean scaled = scale != 1f; // a factor that rounds to 1f would change no bit
            gradsRead = false;
            gradScale = 1f;
            if (subtractOwn && !ownDecoded) decode(List.of(ownLayer()), new float[][] {own});
            ownDecoded = false;
            float back = (float) prevLr, keep = (float) (1.0 - lr * config.weightDecay().orElse(0f));
            float decay = config.compressionDecay(), rate = (float) lr;
            // what was shared already counts as applied: out of the residual (the unquantized coefficients: the
            // residual is in lr*grad units, signs are not). Gradients not read by clip are read here block by block;
            // clipped ones are scaled here (each times the float clip factor); the new residual goes to the
            // DCT's input while in the cache.
            onParameterBlocks((first, end) -> {
                if (!read) readGradients(first, end);
                if (scaled) for (int i = first; i < end; i++) grads[i] *= scale;
                if (subtractOwn) {
                    for (int i = first; i < end; i++) {
                        float d = delta[i];
                        x[i] = (x[i] + back * sign(d)) * keep;
                        delta[i] = (d - own[i]) * decay + grads[i] * rate;
                    }
                } else {
                    for (int i = first; i < end; i++) {
                        float d = delta[i];
                        x[i] = (x[i] + back * sign(d)) * keep;
                        delta[i] = d * decay + grads[i] * rate;
                    }
                }
                residualMemory.put(first, delta, first, end - first);
            });
            return residual;
        }

        @Override public void apply(IntFunction<List<CompressedTensor>> round, double lr) {
            if (ownPrevious != null && !ownDecoded) {
                decode(List.of(round, ownLayer()), new float[][] {mean, own});
                ownDecoded = true;
            } else {
                decode(List.of(round), new float[][] {mean});
            }
            requireOpenModel();
            float rate = (float) lr;
            onParameterBlocks((first, end) -> {
                for (int i = first; i < end; i++) x[i] -= rate * sign(mean[i]);
            });
        }

        /** The mean of each layer's results, transformed back, into {@code outs[layer]} in buffer layout. */
        private void decode(List<IntFunction<List<CompressedTensor>>> layers, float[][] outs) {
            for (Run g : runs) {
                for (int l = 0; l < layers.size(); l++) {
                    int m = entriesPerTile(g, layers.get(l));
                    if (sparse(g, m)) {
                        sparseDecode(g, layers.get(l), m, outs[l]);
                        continue;
                    }
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        memory(denseDecode(g, layers.get(l))).get(0, outs[l], (int) g.start(), (int) (g.end() - g.start()));
                    }
                }
            }
        }

        /**
         * Run {@code g}'s tiles from their at most {@code m} entries each: a tile is the sum of its distinct
         * coefficients' basis images, {@code w * u v^T} ({@code u}, {@code v} the DCT basis vectors of the coefficient's
         * row and column; {@code w} the mean of the values naming it, the scatter-reduce mean), built one tile row at
         * a time in a scratch row and copied into place.
         */
        private void sparseDecode(Run g, IntFunction<List<CompressedTensor>> resultsOf, int m, float[] out) {
            long[] oriented = orientedTile(g);
            int c1 = (int) oriented[0], c2 = (int) oriented[1], totalk = g.totalk();
            int cols = g.tile().length == 2 ? (int) g.cols() : c2, across = (int) g.tilesAcross();
            float[][] rowBasis = basis(c1), colBasis = basis(c2);
            int members = g.members().length;
            List<List<CompressedTensor>> results = new ArrayList<>(members);
            for (int j = 0; j < members; j++) results.add(resultsOf.apply(g.members()[j]));
            int[] tileEnd = new int[members]; // run tiles before member j + 1
            for (int j = 0; j < members; j++) tileEnd[j] = g.firstTile()[j] + CompressedTensor.rows(xshapes.get(g.members()[j]));
            // tiles are independent: ranges of the run's tiles on PyTorch's thread count, each with its own scratch
            // (every tile computed as in one loop, so the result does not depend on the split)
            Parallel.forRange(g.tiles(), (long) g.tiles() * totalk, (from, to) -> {
                Scratch sc = new Scratch(totalk, m, c2);
                int j = 0;
                for (int at = from; at < to; at++) {
                    while (at >= tileEnd[j]) j++;
                    int base = (int) g.start() + (at / across) * c1 * cols + (at % across) * c2;
                    sc.tile(results.get(j), at - g.firstTile()[j], rowBasis, colBasis, c1, c2, cols, base, out);
                }
            });
        }

        /** DCT basis vectors of size {@code n} as {@code [vector][position]}, kept per size. */
        private synchronized float[][] basis(int n) {
            return basis.computeIfAbsent(n, DctTransform::basisVectors);
        }

        @Override public float[] delta(long from, long to) { return Arrays.copyOfRange(delta, (int) from, (int) to); }

        @Override public void reset() {
            Arrays.fill(delta, 0f);
            gradsRead = false;
            gradScale = 1f;
        }

        @Override public void forgetOwnDecoded() { ownDecoded = false; }

        @Override public void close() { residual.close(); }
    }

    /** Elements per block of the CPU's element-wise passes: a few such arrays stay in the core's cache. */
    private static final int BLOCK = 4096;

    /** A pass over elements {@code [first, end)} of the buffer layout. */
    private interface BlockBody {
        void run(int first, int end);
    }

    /** One thread's scratch for the sparse inverse transform of tiles (see {@code HostSteps.sparseDecode}). */
    private static final class Scratch {
        private final float[] sum, weight, row;
        private final int[] count, named;
        private final float[][] us, vs; // each distinct coefficient's row and column basis vector

        Scratch(int totalk, int m, int c2) {
            sum = new float[totalk];
            count = new int[totalk];
            named = new int[m];
            weight = new float[m];
            us = new float[m][];
            vs = new float[m][];
            row = new float[c2];
        }

        /**
         * Tile {@code t} of a parameter from its results, written at {@code base} of {@code out} (rows {@code cols}
         * apart): the sum of its distinct coefficients' basis images, {@code w * u v^T} ({@code w} the mean of the
         * values naming the coefficient), built one tile row at a time in a scratch row and copied into place.
         */
        void tile(List<CompressedTensor> results, int t, float[][] rowBasis, float[][] colBasis, int c1, int c2, int cols,
                  int base, float[] out) {
            int distinct = 0;
            for (CompressedTensor r : results) {
                for (int e = t * r.k(); e < (t + 1) * r.k(); e++) {
                    int pos = checkedIndex(r, e);
                    if (count[pos]++ == 0) named[distinct++] = pos;
                    sum[pos] += r.values()[e];
                }
            }
            for (int q = 0; q < distinct; q++) {
                int pos = named[q];
                weight[q] = sum[pos] / count[pos];
                sum[pos] = 0;
                count[pos] = 0;
            }
            for (int q = 0; q < distinct; q++) {
                us[q] = rowBasis[named[q] / c2];
                vs[q] = colBasis[named[q] % c2];
            }
            for (int a = 0; a < c1; a++) {
                Arrays.fill(row, 0, c2, 0f);
                int q = 0;
                // four coefficients per pass over the row: a loop this short costs more to enter than to run
                for (; q + 4 <= distinct; q += 4) {
                    float s0 = weight[q] * us[q][a], s1 = weight[q + 1] * us[q + 1][a];
                    float s2 = weight[q + 2] * us[q + 2][a], s3 = weight[q + 3] * us[q + 3][a];
                    float[] v0 = vs[q], v1 = vs[q + 1], v2 = vs[q + 2], v3 = vs[q + 3];
                    for (int b = 0; b < c2; b++) row[b] += s0 * v0[b] + s1 * v1[b] + s2 * v2[b] + s3 * v3[b];
                }
                for (; q < distinct; q++) {
                    float s = weight[q] * us[q][a];
                    float[] v = vs[q];
                    for (int b = 0; b < c2; b++) row[b] += s * v[b];
                }
                System.arraycopy(row, 0, out, base + a * cols, c2);
            }
        }
    }

    /**
     * torch.sign: -1, 0 (keeping the zero's sign) or 1, NaN for NaN. Without branches, so the JIT vectorizes the loops
     * using it ({@link Math#signum} branches, and mispredicts on residual signs: 15x slower here).
     */
    static float sign(float v) {
        return Math.min(Math.max(v * 0x1p127f * 0x1p127f, -1f), 1f); // any nonzero |v| >= 2^-149 scales past 1
    }

    /** A run's tile as rows of the buffer layout: {@code {c1, c2}}, a 1-D tile {@code {c}} as one row {@code {1, c}}. */
    private static long[] orientedTile(Run r) {
        return r.tile().length == 2 ? r.tile() : new long[] {1, r.tile()[0]};
    }

    /**
     * A GPU (or any device): the residual and the element-wise steps as tensor operations on the device, one native
     * call each over the whole buffer; sparse inverse transforms as one batched product for all runs.
     */
    private final class TensorSteps implements Steps {
        private final NDArray delta = keep(manager.zeros(new Shape(params.elementCount()), DataType.FLOAT32));
        private final DctTransform.PaddedBasis basis; // basis vectors of every tile side, for the batched sparse decode
        private NDArray clippedGrads;       // this step's gradients in buffer layout, once clip gathered them
        private NDArray lookAhead;          // prevLr * sign(delta) as subtracted by errorCorrection, added back by accumulate
        private double lookAheadLr;
        private NDArray ownDecoded;         // ownPrevious transformed back, when apply decoded it with the round's mean

        TensorSteps() {
            TreeSet<Integer> sides = new TreeSet<>();
            for (Run r : runs) {
                long[] tile = matrixTile(r.tile());
                sides.add((int) tile[0]);
                sides.add((int) tile[1]);
            }
            basis = DctTransform.paddedBasis(manager, sides);
        }

        @Override public void errorCorrection(double prevLr) {
            closeStepState();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                lookAhead = keep(delta.sign().muli(prevLr));
                lookAheadLr = prevLr;
                params.flat().subi(lookAhead);
            }
        }

        private void closeStepState() {
            if (clippedGrads != null) clippedGrads.close();
            if (lookAhead != null) lookAhead.close();
            clippedGrads = lookAhead = null;
        }

        @Override public double clip(float max) {
            if (clippedGrads != null) clippedGrads.close();
            clippedGrads = gradients();
            return GradClip.clip(clippedGrads, max);
        }

        /** This step's gradients of every parameter in one buffer of the parameter layout (not in any scope). */
        private NDArray gradients() {
            return keep(NDArrays.concat(gradViews(), 0));
        }

        @Override public NDArray accumulate(double prevLr, double lr, boolean subtractOwn) {
            NDArray grads = clippedGrads != null ? clippedGrads : gradients();
            clippedGrads = null;
            try {
                NDArray x = params.flat();
                x.addi(lookAhead != null && lookAheadLr == prevLr ? lookAhead : delta.sign().muli(prevLr));
                if (lookAhead != null) lookAhead.close();
                lookAhead = null;
                if (subtractOwn) {
                    // What was shared already counts as applied: take it out of the residual. The unquantized
                    // coefficients are used (the residual is in lr*grad units, signs are not).
                    delta.subi(ownDecoded != null ? ownDecoded : decodeAll(List.of(ownLayer())).get(0));
                }
                forgetOwnDecoded();
                double wd = config.weightDecay().orElse(0f);
                if (wd != 0.0) x.muli(1.0 - lr * wd);
                if (config.compressionDecay() != 1.0f) delta.muli((double) config.compressionDecay());
                delta.addi(grads.muli(lr));
                return delta;
            } finally {
                grads.close();
            }
        }

        @Override public void apply(IntFunction<List<CompressedTensor>> round, double lr) {
            List<IntFunction<List<CompressedTensor>>> layers = new ArrayList<>(2);
            layers.add(round);
            // the next generate takes this client's own result out of its residual: transform it back now, with
            // the round's mean, in the same native calls
            boolean withOwn = ownPrevious != null && ownDecoded == null;
            if (withOwn) layers.add(ownLayer());
            NDArray decoded = decodeAll(layers);
            params.flat().subi(decoded.get(0).sign().muli(lr));
            if (withOwn) ownDecoded = keep(decoded.get(1));
        }

        /**
         * Inverse DCT of the mean of several results for every parameter, one row per layer ({@code [layers, elements]}),
         * laid out as the parameter buffer. A layer gives, per parameter, the results to average: each result's entry
         * enters with weight value / (number of results naming that coefficient), which is the scatter-reduce mean.
         */
        private NDArray decodeAll(List<IntFunction<List<CompressedTensor>>> layers) {
            int[] entries = new int[runs.size()];
            boolean[] sparse = new boolean[runs.size()];
            int most = 0;
            for (int g = 0; g < runs.size(); g++) {
                for (IntFunction<List<CompressedTensor>> layer : layers) {
                    entries[g] = Math.max(entries[g], entriesPerTile(runs.get(g), layer));
                }
                sparse[g] = sparse(runs.get(g), entries[g]);
                if (sparse[g]) most = Math.max(most, entries[g]);
            }
            NDArray[] parts = most > 0 ? sparseDecode(layers, sparse, most) : new NDArray[runs.size()];
            for (int g = 0; g < runs.size(); g++) {
                if (sparse[g]) continue;
                NDList rows = new NDList(layers.size());
                for (IntFunction<List<CompressedTensor>> layer : layers) rows.add(denseDecode(runs.get(g), layer));
                parts[g] = NDArrays.stack(rows, 0);
            }
            return parts.length == 1 ? parts[0] : NDArrays.concat(new NDList(parts), 1);
        }

        /**
         * Writes the run's entries (position in tile, weight) from tile {@code firstTile} on, {@code stride} slots per tile
         * (slots past the run's own entries keep weight 0).
         */
        private void fillEntries(Run g, IntFunction<List<CompressedTensor>> resultsOf, int firstTile, int stride,
                                 int[] index, float[] weight) {
            int[] count = new int[g.totalk()];
            for (int j = 0; j < g.members().length; j++) {
                List<CompressedTensor> results = resultsOf.apply(g.members()[j]);
                int rows = CompressedTensor.rows(xshapes.get(g.members()[j]));
                for (int row = 0; row < rows; row++) {
                    int at = (firstTile + g.firstTile()[j] + row) * stride;
                    for (CompressedTensor r : results) {
                        for (int e = 0; e < r.k(); e++) count[checkedIndex(r, row * r.k() + e)]++;
                    }
                    for (CompressedTensor r : results) {
                        for (int e = 0; e < r.k(); e++) {
                            int pos = r.indices()[row * r.k() + e];
                            index[at] = pos;
                            weight[at++] = r.values()[row * r.k() + e] / count[pos];
                        }
                    }
                    for (CompressedTensor r : results) {
                        for (int e = 0; e < r.k(); e++) count[r.indices()[row * r.k() + e]] = 0;
                    }
                }
            }
        }

        /**
         * The {@code sparse} runs of every layer at once, from at most {@code m} entries per tile: each tile is the sum of
         * its entries' weighted basis images ({@code 2m} multiply-adds per element instead of the dense inverse's
         * {@code 2(c1+c2)}). Tiles are computed padded to the largest tile side, then cut to size and put back in the
         * buffer layout; returns {@code [layers, elements]} per run (null for runs not decoded here).
         */
        private NDArray[] sparseDecode(List<IntFunction<List<CompressedTensor>>> layers, boolean[] sparse, int m) {
            int layerCount = layers.size(), tiles = 0;
            for (int g = 0; g < runs.size(); g++) if (sparse[g]) tiles += runs.get(g).tiles();
            int[] index = new int[layerCount * tiles * m];
            float[] weight = new float[index.length];
            long[] basisIds = new long[2 * index.length]; // rows of the basis table: first the u (row) factors, then the v ones
            for (int l = 0; l < layerCount; l++) {
                int first = l * tiles;
                for (int g = 0; g < runs.size(); g++) {
                    if (!sparse[g]) continue;
                    Run r = runs.get(g);
                    fillEntries(r, layers.get(l), first, m, index, weight);
                    long[] tile = matrixTile(r.tile());
                    int rowBase = basis.firstRow(tile[0]), colBase = basis.firstRow(tile[1]);
                    for (int e = first * m; e < (first + r.tiles()) * m; e++) {
                        basisIds[e] = rowBase + index[e] / tile[1];
                        basisIds[index.length + e] = colBase + index[e] % tile[1];
                    }
                    first += r.tiles();
                }
            }
            NDArray ids = manager.create(basisIds, new Shape(2, (long) layerCount * tiles, m));
            NDArray u = basis.rows(ids.get(0)), v = basis.rows(ids.get(1));             // [layers*tiles, m, width]
            NDArray w = manager.create(weight, new Shape((long) layerCount * tiles, m, 1));
            NDArray padded = u.mul(w).transpose(0, 2, 1).matMul(v).reshape(layerCount, tiles, basis.width(), basis.width());
            NDArray[] parts = new NDArray[runs.size()];
            int first = 0;
            for (int g = 0; g < runs.size(); g++) {
                if (!sparse[g]) continue;
                Run r = runs.get(g);
                long[] tile = matrixTile(r.tile());
                NDArray cut = padded.get(new NDIndex(":, {}:{}, :{}, :{}", first, first + r.tiles(), tile[0], tile[1]));
                first += r.tiles();
                parts[g] = toLayout(cut, r, layerCount);
            }
            return parts;
        }

        @Override public float[] delta(long from, long to) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                return delta.get(new NDIndex().addSliceDim(from, to)).toFloatArray();
            }
        }

        @Override public void reset() {
            delta.muli(0);
            if (lookAhead != null) lookAhead.close(); // the residual it came from is gone: accumulate recomputes from zero
            lookAhead = null;
        }

        @Override public void forgetOwnDecoded() {
            if (ownDecoded != null) ownDecoded.close();
            ownDecoded = null;
        }

        @Override public void close() {
            closeStepState();
            forgetOwnDecoded();
        }
    }

    @Override public void close() {
        steps.close();
        if (gradViews != null) gradViews.close();
        transform.close();
        manager.close();
    }
}
