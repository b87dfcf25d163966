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

import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Cost: on small models a native call costs more than its arithmetic, so the state is laid out to need few of
 * them. The parameters are views of one buffer ({@link FlatParameters}) and the residual is one buffer of the same
 * layout, so the sign steps are one call each. The buffer keeps parameters of equal shape next to each other; a
 * {@link Run} of neighbours with the same tile and column count is one matrix, whose tiles go through the DCT with two
 * matrix products and through top-k at once, in place (no gather into tile order). The two inverse transforms of a
 * step (the round's mean, and this client's result, which the next step takes out of the residual) are computed
 * together in {@link #apply}, for all runs at once, from their few nonzero coefficients: 2m instead of 2(c1+c2)
 * multiply-adds per element.
 */
public final class Distro implements AutoCloseable {
    private final Optimizer.Distro config;
    private final FlatParameters params;
    private final List<long[]> xshapes = new ArrayList<>();
    private final NDManager manager;
    private final DctTransform transform;
    private final List<Run> runs = new ArrayList<>();
    private final NDArray delta;        // residual, laid out as the parameter buffer
    private NDArray clippedGrads;       // this step's gradients in buffer layout, once clipGradients gathered them
    private NDArray lookAhead;          // prevLr * sign(delta) as subtracted by errorCorrection, added back by generate
    private double lookAheadLr;
    private List<CompressedTensor> ownPrevious;
    private NDArray ownDecoded;         // ownPrevious transformed back, when apply decoded it with the round's mean
    private NDList gradViews;           // each parameter's gradient, flattened, in buffer order (taken once)
    private float[] coefficientsRead;   // every run's DCT coefficients, read back for top-k
    private final DctTransform.PaddedBasis basis; // basis vectors of every tile side, for the batched sparse decode

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
        this.delta = keep(manager.zeros(new Shape(flat.elementCount()), DataType.FLOAT32));
        TreeSet<Integer> sides = new TreeSet<>();
        for (Run r : runs) {
            long[] tile = matrixTile(r.tile());
            sides.add((int) tile[0]);
            sides.add((int) tile[1]);
        }
        this.basis = DctTransform.paddedBasis(manager, sides);
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
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return delta.get(new NDIndex("{}:{}", params.offset(i), params.offset(i) + params.size(i))).toFloatArray();
        }
    }

    /** Step 1: {@code x -= prevLr * sign(delta)}, the look-ahead used for the forward pass. */
    public void errorCorrection(double prevLr) {
        TorchRuntime.noGradOnThisThread();
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

    /**
     * Global grad-norm clipping when configured ({@code clip_grad_norm > 0}), as torch's {@code clip_grad_norm_}
     * (scale by {@code max/(norm+1e-6)} when above); returns the norm before clipping, NaN when not configured.
     */
    public double clipGradients() {
        float max = config.clipGradNorm().orElse(0f);
        if (max <= 0) return Double.NaN;
        TorchRuntime.noGradOnThisThread();
        if (clippedGrads != null) clippedGrads.close();
        clippedGrads = gradients();
        return GradClip.clip(clippedGrads, max);
    }

    /**
     * This step's gradients of every parameter, laid out as the parameter buffer (one buffer, not in any scope). The
     * flattened gradient of each parameter is taken once: after the first backward PyTorch accumulates into the same
     * gradient tensors (and {@code LlamaModel.zeroGradients} zeroes them in place), so one concatenation per step reads
     * them all.
     */
    private NDArray gradients() {
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
        return keep(NDArrays.concat(gradViews, 0));
    }

    /**
     * Step 2: undo the look-ahead, remove what this client shared last round, weight decay, decay the residual, add
     * {@code lr * grad}, and compress. Returns the result to share (sign values when {@code quantize_1bit}).
     */
    public List<CompressedTensor> generate(double prevLr, double lr) {
        TorchRuntime.noGradOnThisThread();
        CompressedTensor[] full = new CompressedTensor[params.size()];
        NDArray grads = clippedGrads != null ? clippedGrads : gradients();
        clippedGrads = null;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x = params.flat();
            x.addi(lookAhead != null && lookAheadLr == prevLr ? lookAhead : delta.sign().muli(prevLr));
            if (lookAhead != null) lookAhead.close();
            lookAhead = null;
            if (ownPrevious != null) {
                // What was shared already counts as applied: take it out of the residual. The unquantized
                // coefficients are used (the residual is in lr*grad units, signs are not).
                delta.subi(ownDecoded != null ? ownDecoded : decodeAll(List.of(ownLayer())).get(0));
            }
            forgetOwnDecoded();
            double wd = config.weightDecay().orElse(0f);
            if (wd != 0.0) x.muli(1.0 - lr * wd);
            if (config.compressionDecay() != 1.0f) delta.muli((double) config.compressionDecay());
            delta.addi(grads.muli(lr));
            compressAll(full);
        } finally {
            grads.close();
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
    private void compressAll(CompressedTensor[] out) {
        NDList coefficients = new NDList(runs.size());
        for (Run r : runs) {
            long[] tile = r.tile();
            NDArray residual = delta.get(new NDIndex("{}:{}", r.start(), r.end()));
            coefficients.add((tile.length == 2 ? transform.encodeMatrix(residual, r.rows(), r.cols(), tile[0], tile[1])
                    : transform.encodeTiles(residual.reshape(r.tiles(), tile[0]))).reshape(-1));
        }
        // read run by run through buffers over the tensors' memory (one copy each, no concatenation) into an array
        // kept between steps (large arrays are slow to allocate)
        if (coefficientsRead == null) coefficientsRead = new float[Math.toIntExact(params.elementCount())];
        float[] all = coefficientsRead;
        int at = 0;
        for (NDArray c : coefficients) {
            int n = Math.toIntExact(c.size());
            c.toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().get(0, all, at, n);
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
            long[] tile = matrixTile(runs.get(g).tile());
            sparse[g] = entries[g] < tile[0] + tile[1]; // 2m vs 2(c1+c2) multiply-adds per element
            if (sparse[g]) most = Math.max(most, entries[g]);
        }
        NDArray[] parts = most > 0 ? sparseDecode(layers, sparse, most) : new NDArray[runs.size()];
        for (int g = 0; g < runs.size(); g++) {
            if (sparse[g]) continue;
            NDList rows = new NDList(layers.size());
            for (IntFunction<List<CompressedTensor>> layer : layers) rows.add(denseDecode(runs.get(g), layer, entries[g]));
            parts[g] = NDArrays.stack(rows, 0);
        }
        return parts.length == 1 ? parts[0] : NDArrays.concat(new NDList(parts), 1);
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
                    for (int e = 0; e < r.k(); e++) count[r.indices()[row * r.k() + e]]++;
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

    /** Tiles {@code [layers, tiles, c1, c2]} of a run (1-D: {@code c2 = 1}) as rows of its matrix, {@code [layers, elements]}. */
    private static NDArray toLayout(NDArray tiles, Run g, int layers) {
        long[] tile = matrixTile(g.tile());
        long elements = g.rows() * g.cols();
        if (g.tilesAcross() == 1) return tiles.reshape(layers, elements);
        return tiles.reshape(layers, g.rows() / tile[0], g.tilesAcross(), tile[0], tile[1]).transpose(0, 1, 3, 2, 4)
                .reshape(layers, elements);
    }

    /** One layer of one run by scattering into dense tiles and a dense inverse DCT (cheaper when entries are many). */
    private NDArray denseDecode(Run g, IntFunction<List<CompressedTensor>> resultsOf, int m) {
        int totalk = g.totalk();
        int[] index = new int[g.tiles() * m];
        float[] weight = new float[index.length];
        fillEntries(g, resultsOf, 0, m, index, weight);
        float[] dense = new float[g.tiles() * totalk];
        for (int e = 0; e < index.length; e++) dense[(e / m) * totalk + index[e]] += weight[e];
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
        delta.muli(0);
        if (lookAhead != null) lookAhead.close(); // the residual it came from is gone: generate recomputes from zero
        lookAhead = null;
        forgetOwnResult();
    }

    /** Forgets this client's last result, for a round whose consensus did not include it. */
    public void forgetOwnResult() {
        ownPrevious = null;
        forgetOwnDecoded();
    }

    private IntFunction<List<CompressedTensor>> ownLayer() {
        List<CompressedTensor> own = ownPrevious;
        return member -> List.of(own.get(member));
    }

    private void forgetOwnDecoded() {
        if (ownDecoded != null) ownDecoded.close();
        ownDecoded = null;
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
            List<IntFunction<List<CompressedTensor>>> layers = new ArrayList<>(2);
            layers.add(member -> {
                List<CompressedTensor> forParam = new ArrayList<>(results.size());
                for (List<CompressedTensor> r : results) forParam.add(r.get(member));
                return forParam;
            });
            // the next generate takes this client's own result out of its residual: transform it back now, with
            // the round's mean, in the same native calls
            boolean withOwn = ownPrevious != null && ownDecoded == null;
            if (withOwn) layers.add(ownLayer());
            NDArray decoded = decodeAll(layers);
            params.flat().subi(decoded.get(0).sign().muli(lr));
            if (withOwn) ownDecoded = keep(decoded.get(1));
        }
    }

    @Override public void close() {
        closeStepState();
        forgetOwnDecoded();
        if (gradViews != null) gradViews.close();
        transform.close();
        manager.close();
    }
}
