package psyche.train.distro;

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
import java.util.function.IntFunction;

/**
 * The DisTrO (DeMo) optimizer of one client, as Psyche's {@code shared/modeling/src/distro.rs}: a residual
 * {@code delta} per parameter accumulates {@code lr * grad}; its top-k DCT coefficients are shared; the mean of all
 * shared coefficients, transformed back, gives the sign-SGD step that every client applies.
 *
 * <p>Per step: {@link #errorCorrection} before the forward pass, forward/backward, {@link #clipGradients},
 * {@link #generate} (returns this client's result), exchange, {@link #apply} with every result of the round.
 *
 * <p>Cost: on small models a native call costs more than its arithmetic, so the work is laid out to need few of
 * them. The parameters are views of one buffer ({@link FlatParameters}) and the residual has the same layout. The
 * buffer keeps parameters of equal shape next to each other; a {@link Run} of neighbours with the same tile and column
 * count is one matrix, whose tiles go through the DCT with two matrix products, in place (no gather into tile order);
 * the coefficients of all runs are read back once and top-k runs in Java. The two inverse transforms of a step (the
 * round's mean, and this client's result, which the next step takes out of the residual) are computed together in
 * {@link #apply} from their few nonzero coefficients ({@code m} multiply-adds per element instead of the dense
 * inverse's {@code c1 + c2}), as one batched product per run of factors written in Java.
 */
public final class Distro implements AutoCloseable {
    private final Optimizer.Distro config;
    private final FlatParameters params;
    private final List<long[]> xshapes = new ArrayList<>();
    private final NDManager manager;
    private final DctTransform transform;
    private final List<Run> runs = new ArrayList<>();
    private final TensorElements elements;
    private List<CompressedTensor> ownPrevious;
    private NDList gradViews;           // each parameter's gradient, flattened, in buffer order (taken once)
    private float[] coefficientsRead;   // every run's DCT coefficients, read back for top-k
    private final Map<Integer, float[][]> basisVectors = new HashMap<>(); // [vector][position] per tile side, for the sparse decode's factors

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
        this.elements = new TensorElements();
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
        return elements.delta(params.offset(i), params.offset(i) + params.size(i));
    }

    /** Step 1: {@code x -= prevLr * sign(delta)}, the look-ahead used for the forward pass. */
    public void errorCorrection(double prevLr) {
        TorchRuntime.noGradOnThisThread();
        elements.errorCorrection(prevLr);
    }

    /**
     * Global grad-norm clipping when configured ({@code clip_grad_norm > 0}), as torch's {@code clip_grad_norm_}
     * (scale by {@code max/(norm+1e-6)} when above); returns the norm before clipping, NaN when not configured.
     */
    public double clipGradients() {
        float max = config.clipGradNorm().orElse(0f);
        if (max <= 0) return Double.NaN;
        TorchRuntime.noGradOnThisThread();
        return elements.clip(max);
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
            compressAll(elements.accumulate(prevLr, lr), full);
        }
        ownPrevious = List.of(full);
        if (!config.quantize1bit()) return ownPrevious;
        List<CompressedTensor> signs = new ArrayList<>(full.length);
        for (CompressedTensor c : full) signs.add(c.quantize());
        return signs;
    }

    /**
     * DCT of every run's residual tiles (two matrix products per run), then top-k per tile on the coefficients of all
     * runs read back at once; the entries are split per parameter.
     */
    private void compressAll(NDArray delta, CompressedTensor[] out) {
        NDList coefficients = new NDList(runs.size());
        for (Run r : runs) {
            long[] tile = r.tile();
            NDArray residual = delta.get(new NDIndex("{}:{}", r.start(), r.end()));
            coefficients.add((tile.length == 2 ? transform.encodeMatrix(residual, r.rows(), r.cols(), tile[0], tile[1])
                    : transform.encodeTiles(residual.reshape(r.tiles(), tile[0]))).reshape(-1));
        }
        // read through buffers over the tensors' memory: one copy each, into an array kept between steps
        if (coefficientsRead == null) coefficientsRead = new float[Math.toIntExact(params.elementCount())];
        float[] all = coefficientsRead;
        int at = 0;
        for (NDArray c : coefficients) {
            int n = Math.toIntExact(c.size());
            memory(c).get(0, all, at, n);
            at += n;
        }
        int from = 0;
        for (Run r : runs) {
            long[] tile = r.tile();
            // one row of tiles per tile: [tiles, 1, c1, c2] (or [tiles, c]) is a tile shape DistroCodec reads
            long[] stacked = tile.length == 2 ? new long[] {r.tiles(), 1, tile[0], tile[1]} : new long[] {r.tiles(), tile[0]};
            CompressedTensor top = DistroCodec.compress(all, from, stacked, config.compressionTopk());
            from += r.tiles() * r.totalk();
            int k = top.k();
            for (int j = 0; j < r.members().length; j++) {
                int i = r.members()[j];
                int first = r.firstTile()[j] * k, last = first + CompressedTensor.rows(xshapes.get(i)) * k;
                out[i] = new CompressedTensor(xshapes.get(i), top.totalk(), k, Arrays.copyOfRange(top.indices(), first, last),
                        Arrays.copyOfRange(top.values(), first, last), false);
            }
        }
    }

    /** How {@code layers} decode: runs whose tiles have few entries from those entries, the others densely. */
    private record DecodePlan(List<Run> sparse, List<Run> dense, int[] entries) {
        /** Most entries per tile of run {@code g}, over the layers. */
        int entries(Run g, List<Run> runs) { return entries[runs.indexOf(g)]; }
    }

    private DecodePlan plan(List<IntFunction<List<CompressedTensor>>> layers) {
        List<Run> sparse = new ArrayList<>(), dense = new ArrayList<>();
        int[] entries = new int[runs.size()];
        for (int g = 0; g < runs.size(); g++) {
            for (IntFunction<List<CompressedTensor>> layer : layers) entries[g] = Math.max(entries[g], entriesPerTile(runs.get(g), layer));
            long[] tile = matrixTile(runs.get(g).tile());
            (entries[g] < tile[0] + tile[1] ? sparse : dense).add(runs.get(g)); // 2m vs 2(c1+c2) multiply-adds per element
        }
        return new DecodePlan(sparse, dense, entries);
    }

    /**
     * One tile of a sparse decode as factors of {@code U^T V}: the distinct coefficients the results name in tile row
     * {@code row} (a coefficient's weight is the mean of the values naming it: the scatter-reduce mean), as column
     * {@code q} of {@code u} ({@code c1} rows from {@code uAt}, row stride {@code m}: weight times the row basis
     * vector) and row {@code q} of {@code v} (from {@code vAt}, row stride {@code vStride}: the column basis vector).
     * Unnamed slots are left as they are (zero). {@code sum} and {@code count} hold {@code totalk} zeros and are
     * left so.
     */
    private void writeFactors(List<CompressedTensor> results, int row, long[] oriented, int m, float[] u, int uAt,
                              float[] v, int vAt, int vStride, float[] sum, int[] count, int[] named) {
        int c1 = (int) oriented[0], c2 = (int) oriented[1], distinct = 0;
        for (CompressedTensor r : results) {
            int k = r.k();
            for (int e = row * k; e < row * k + k; e++) {
                int pos = r.indices()[e];
                if (count[pos]++ == 0) named[distinct++] = pos;
                sum[pos] += r.values()[e];
            }
        }
        float[][] rowBasis = basisVectors(c1), colBasis = basisVectors(c2);
        for (int q = 0; q < distinct; q++) {
            int pos = named[q];
            float w = sum[pos] / count[pos];
            sum[pos] = 0;
            count[pos] = 0;
            float[] ru = rowBasis[pos / c2];
            for (int a = 0; a < c1; a++) u[uAt + a * m + q] = w * ru[a];
            System.arraycopy(colBasis[pos % c2], 0, v, vAt + q * vStride, c2);
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

    /** Tiles {@code [layers, tiles, c1, c2]} of a run (1-D: {@code c2 = 1}) as rows of its matrix, {@code [layers, elements]}. */
    private static NDArray toLayout(NDArray tiles, Run g, int layers) {
        long[] tile = matrixTile(g.tile());
        long elements = g.rows() * g.cols();
        if (g.tilesAcross() == 1) return tiles.reshape(layers, elements);
        return tiles.reshape(layers, g.rows() / tile[0], g.tilesAcross(), tile[0], tile[1]).transpose(0, 1, 3, 2, 4)
                .reshape(layers, elements);
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
                    int at = (g.firstTile()[j] + e / r.k()) * totalk + r.indices()[e];
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
        elements.reset();
        forgetOwnResult();
    }

    /** Forgets this client's last result, for a round whose consensus did not include it. */
    public void forgetOwnResult() {
        ownPrevious = null;
        elements.forgetOwnDecoded();
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
            elements.apply(member -> {
                List<CompressedTensor> forParam = new ArrayList<>(results.size());
                for (List<CompressedTensor> r : results) forParam.add(r.get(member));
                return forParam;
            }, lr);
        }
    }

    /** A run's tile as rows of the buffer layout: {@code {c1, c2}}, a 1-D tile {@code {c}} as one row {@code {1, c}}. */
    private static long[] orientedTile(Run r) {
        return r.tile().length == 2 ? r.tile() : new long[] {1, r.tile()[0]};
    }

    /** DCT basis vectors of size {@code n} as {@code [vector][position]}. */
    private float[][] basisVectors(int n) {
        return basisVectors.computeIfAbsent(n, size -> {
            double[][] f = DctTransform.dctMatrix(size);
            float[][] b = new float[size][size];
            for (int v = 0; v < size; v++) for (int p = 0; p < size; p++) b[v][p] = (float) f[p][v];
            return b;
        });
    }

    /** A buffer over a contiguous CPU tensor's own memory: what is written to it is written to the tensor. */
    private static FloatBuffer memory(NDArray a) {
        return a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * The residual and the element-wise steps, as tensor operations on the model's device. The round's mean and this
     * client's own result (which the next step takes out of the residual) are decoded together in {@code apply}, so
     * each round pays for one decoding pass.
     */
    private final class TensorElements implements AutoCloseable {
        private final NDArray delta = keep(manager.zeros(new Shape(params.elementCount()), DataType.FLOAT32));
        private NDArray clippedGrads;       // this step's gradients in buffer layout, once clip gathered them
        private NDArray lookAhead;          // prevLr * sign(delta) as subtracted by errorCorrection, added back by accumulate
        private double lookAheadLr;
        private NDArray ownDecoded;         // ownPrevious transformed back, when apply decoded it with the round's mean

        void errorCorrection(double prevLr) {
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

        /** This step's gradients laid out as the parameter buffer (one buffer, not in any scope). */
        private NDArray gradients() { return keep(NDArrays.concat(gradViews(), 0)); }

        double clip(float max) {
            if (clippedGrads != null) clippedGrads.close();
            clippedGrads = gradients();
            return GradClip.clip(clippedGrads, max);
        }

        NDArray accumulate(double prevLr, double lr) {
            NDArray grads = clippedGrads != null ? clippedGrads : gradients();
            clippedGrads = null;
            try {
                NDArray x = params.flat();
                x.addi(lookAhead != null && lookAheadLr == prevLr ? lookAhead : delta.sign().muli(prevLr));
                if (lookAhead != null) lookAhead.close();
                lookAhead = null;
                if (ownPrevious != null) {
                    // what was shared already counts as applied: out of the residual (the unquantized coefficients:
                    // the residual is in lr*grad units, signs are not)
                    delta.subi(ownDecoded != null ? ownDecoded : decode(List.of(ownLayer())).get(0));
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

        void apply(IntFunction<List<CompressedTensor>> round, double lr) {
            List<IntFunction<List<CompressedTensor>>> layers = new ArrayList<>(2);
            layers.add(round);
            boolean withOwn = ownPrevious != null && ownDecoded == null;
            if (withOwn) layers.add(ownLayer());
            NDArray decoded = decode(layers);
            params.flat().subi(decoded.get(0).sign().muli(lr));
            if (withOwn) ownDecoded = keep(decoded.get(1));
        }

        /**
         * Inverse DCT of the mean of several results for every parameter, one row per layer ({@code [layers,
         * elements]}), laid out as the parameter buffer; sparse runs as one batched product of {@link #writeFactors}'
         * factors each.
         */
        private NDArray decode(List<IntFunction<List<CompressedTensor>>> layers) {
            DecodePlan plan = plan(layers);
            NDList parts = new NDList(runs.size());
            for (Run g : runs) {
                int m = plan.entries(g, runs);
                if (plan.sparse().contains(g)) {
                    parts.add(sparseDecode(g, layers, m));
                    continue;
                }
                NDList rows = new NDList(layers.size());
                for (IntFunction<List<CompressedTensor>> layer : layers) rows.add(denseDecode(g, layer));
                parts.add(NDArrays.stack(rows, 0));
            }
            return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
        }

        /** One run of every layer from at most {@code m} entries per tile: {@code [layers, elements]}. */
        private NDArray sparseDecode(Run g, List<IntFunction<List<CompressedTensor>>> layers, int m) {
            long[] tile = orientedTile(g);
            int c1 = (int) tile[0], c2 = (int) tile[1], tiles = layers.size() * g.tiles();
            float[] u = new float[tiles * c1 * m], v = new float[tiles * m * c2], sum = new float[g.totalk()];
            int[] count = new int[g.totalk()], named = new int[m];
            int b = 0;
            for (IntFunction<List<CompressedTensor>> layer : layers) {
                for (int member : g.members()) {
                    List<CompressedTensor> results = layer.apply(member);
                    for (int row = 0; row < CompressedTensor.rows(xshapes.get(member)); row++, b++) {
                        writeFactors(results, row, tile, m, u, b * c1 * m, v, b * m * c2, c2, sum, count, named);
                    }
                }
            }
            NDArray product = manager.create(u, new Shape(tiles, c1, m)).matMul(manager.create(v, new Shape(tiles, m, c2)));
            return toLayout(product.reshape(layers.size(), g.tiles(), c1, c2), g, layers.size());
        }

        float[] delta(long from, long to) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                return delta.get(new NDIndex("{}:{}", from, to)).toFloatArray();
            }
        }

        void reset() {
            delta.muli(0);
            if (lookAhead != null) lookAhead.close(); // the residual it came from is gone: accumulate recomputes from zero
            lookAhead = null;
        }

        void forgetOwnDecoded() {
            if (ownDecoded != null) ownDecoded.close();
            ownDecoded = null;
        }

        @Override public void close() {
            closeStepState();
            forgetOwnDecoded();
            delta.close();
        }
    }

    @Override public void close() {
        elements.close();
        if (gradViews != null) gradViews.close();
        transform.close();
        manager.close();
    }
}
