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
import java.util.LinkedHashMap;
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
 * <p>Cost: on small models a native call costs more than its arithmetic, so the state is laid out to need few of
 * them. The parameters are views of one buffer ({@link FlatParameters}) and the residual is one buffer of the same
 * layout, so the sign steps are one call each; for the transforms, one gather puts them in tile order (the tiles of
 * all parameters with the same in-tile shape stacked, group after group) and one puts results back (two index
 * tensors of 8 bytes per parameter). Each group goes through the DCT and top-k
 * at once, and the two inverse transforms of a step (this client's previous result, the round's mean) are computed
 * from their few nonzero coefficients ({@link DctTransform#sparseDecode}): 2m instead of 2(c1+c2) multiply-adds per
 * element.
 */
public final class Distro implements AutoCloseable {
    private final Optimizer.Distro config;
    private final FlatParameters params;
    private final List<long[]> xshapes = new ArrayList<>();
    private final NDManager manager;
    private final DctTransform transform;
    private final List<TileGroup> groups = new ArrayList<>();
    private final NDArray delta;        // residual, parameter order
    private final NDArray tileOfParam;  // for each parameter element, its position in tile order
    private final NDArray paramOfTile;  // for each tile-order position, the parameter element
    private NDArray clippedGrads;       // this step's gradients in parameter order, once clipGradients gathered them
    private NDArray lookAhead;          // prevLr * sign(delta) as subtracted by errorCorrection, added back by generate
    private double lookAheadLr;
    private List<CompressedTensor> ownPrevious;

    /** Parameters whose tiles share one in-tile shape, stacked row after row from {@code start} in tile order. */
    private record TileGroup(long[] tile, int[] members, int[] firstRow, int rows, long start) {
        int totalk() { return size(tile); }
        long end() { return start + (long) rows * totalk(); }
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
        Map<String, List<Integer>> byTile = new LinkedHashMap<>();
        for (int i = 0; i < flat.size(); i++) {
            long[] xs = transform.tileShape(flat.shape(i));
            xshapes.add(xs);
            byTile.computeIfAbsent(Arrays.toString(DctTransform.inTile(xs)), k -> new ArrayList<>()).add(i);
        }
        long total = flat.elementCount();
        long[] paramOf = new long[(int) total], tileOf = new long[(int) total];
        long start = 0;
        for (List<Integer> members : byTile.values()) {
            int[] first = new int[members.size()];
            int rows = 0;
            long[] tile = DctTransform.inTile(xshapes.get(members.get(0)));
            for (int j = 0; j < members.size(); j++) {
                int i = members.get(j);
                first[j] = rows;
                long at = start + (long) rows * size(tile);
                layout(flat.shape(i), xshapes.get(i), flat.offset(i), at, paramOf);
                rows += CompressedTensor.rows(xshapes.get(i));
            }
            TileGroup g = new TileGroup(tile, members.stream().mapToInt(Integer::intValue).toArray(), first, rows, start);
            groups.add(g);
            start = g.end();
        }
        for (int t = 0; t < paramOf.length; t++) tileOf[(int) paramOf[t]] = t;
        this.paramOfTile = keep(manager.create(paramOf));
        this.tileOfParam = keep(manager.create(tileOf));
        this.delta = keep(manager.zeros(new Shape(total), DataType.FLOAT32));
    }

    /** Records, for the tile-order positions from {@code at}, which element of the flat parameters lands there. */
    private static void layout(long[] shape, long[] xs, long offset, long at, long[] paramOf) {
        if (xs.length == 2) {
            for (long e = 0; e < shape[0]; e++) paramOf[(int) (at + e)] = offset + e; // 1-D: tiles are consecutive runs
            return;
        }
        long b = xs[1], c1 = xs[2], c2 = xs[3], cols = shape[1];
        int t = (int) at;
        for (long ti = 0; ti < xs[0]; ti++) {
            for (long tj = 0; tj < b; tj++) {
                for (long u = 0; u < c1; u++) {
                    for (long v = 0; v < c2; v++) paramOf[t++] = offset + (ti * c1 + u) * cols + tj * c2 + v;
                }
            }
        }
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
            return delta.get(new NDIndex("{}:{}", params.offset(i), params.offset(i + 1))).toFloatArray();
        }
    }

    private NDArray toParameterOrder(NDArray tileOrder) { return tileOrder.take(tileOfParam); }

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

    /** This step's gradients of every parameter, in parameter order (one buffer, not in any scope). */
    private NDArray gradients() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList flat = new NDList(params.size());
            for (NDArray x : params.values()) flat.add(x.getGradient().reshape(-1));
            return keep(NDArrays.concat(flat, 0));
        }
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
                delta.subi(toParameterOrder(decodeAll(member -> List.of(ownPrevious.get(member)))));
            }
            double wd = config.weightDecay().orElse(0f);
            if (wd != 0.0) x.muli(1.0 - lr * wd);
            if (config.compressionDecay() != 1.0f) delta.muli((double) config.compressionDecay());
            delta.addi(grads.muli(lr));
            NDArray tileOrder = delta.take(paramOfTile);
            for (TileGroup g : groups) compressGroup(tileOrder, g, full);
        } finally {
            grads.close();
        }
        ownPrevious = List.of(full);
        if (!config.quantize1bit()) return ownPrevious;
        List<CompressedTensor> signs = new ArrayList<>(full.length);
        for (CompressedTensor c : full) signs.add(c.quantize());
        return signs;
    }

    /** DCT and top-k of the group's residual tiles at once; the entries are split back per parameter. */
    private void compressGroup(NDArray residualInTileOrder, TileGroup g, CompressedTensor[] out) {
        long[] tile = g.tile();
        NDArray tiles = residualInTileOrder.get(new NDIndex("{}:{}", g.start(), g.end()));
        // one row of tiles per group row: [rows, 1, c1, c2] (or [rows, c]) is a tile shape DistroCodec reads
        NDArray coeffs = transform.encodeTiles(tile.length == 2 ? tiles.reshape(g.rows(), tile[0], tile[1])
                : tiles.reshape(g.rows(), tile[0]));
        CompressedTensor all = DistroCodec.compress(tile.length == 2 ? coeffs.reshape(g.rows(), 1, tile[0], tile[1]) : coeffs,
                config.compressionTopk());
        int k = all.k();
        for (int j = 0; j < g.members().length; j++) {
            int i = g.members()[j];
            int from = g.firstRow()[j] * k, to = from + CompressedTensor.rows(xshapes.get(i)) * k;
            out[i] = new CompressedTensor(xshapes.get(i), all.totalk(), k, Arrays.copyOfRange(all.indices(), from, to),
                    Arrays.copyOfRange(all.values(), from, to), false);
        }
    }

    /** {@link #decodeGroup} of every group, concatenated: the whole model in tile order. */
    private NDArray decodeAll(IntFunction<List<CompressedTensor>> resultsOf) {
        NDList parts = new NDList(groups.size());
        for (TileGroup g : groups) parts.add(decodeGroup(g, resultsOf).reshape(-1));
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    /**
     * Inverse DCT of the mean of several results for every parameter of the group, stacked as tiles: each result's
     * entry enters with weight value / (number of results naming that coefficient), which is the scatter-reduce mean.
     */
    private NDArray decodeGroup(TileGroup g, IntFunction<List<CompressedTensor>> resultsOf) {
        int totalk = g.totalk();
        int m = 0;
        for (CompressedTensor c : resultsOf.apply(g.members()[0])) m += c.k();
        int[] index = new int[g.rows() * m];
        float[] weight = new float[g.rows() * m];
        int[] count = new int[totalk];
        for (int j = 0; j < g.members().length; j++) {
            List<CompressedTensor> results = resultsOf.apply(g.members()[j]);
            int rows = CompressedTensor.rows(xshapes.get(g.members()[j]));
            int entries = 0;
            for (CompressedTensor r : results) {
                if (r.totalk() != totalk || r.rows() != rows) {
                    throw new IllegalArgumentException("result does not match parameter " + g.members()[j] + ": "
                            + r + " vs tiles " + Arrays.toString(xshapes.get(g.members()[j])));
                }
                entries += r.k();
            }
            if (entries != m) throw new IllegalArgumentException("results disagree on top-k: " + entries + " vs " + m + " entries per tile");
            for (int row = 0; row < rows; row++) {
                int at = (g.firstRow()[j] + row) * m;
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
        long[] tile = g.tile();
        long denseCost = tile.length == 2 ? tile[0] + tile[1] : tile[0];
        if (m < denseCost) return transform.sparseDecode(manager, tile, g.rows(), m, index, weight);
        // many results: scattering into dense tiles and a dense inverse DCT is cheaper
        float[] dense = new float[g.rows() * totalk];
        for (int e = 0; e < index.length; e++) dense[(e / m) * totalk + index[e]] += weight[e];
        long[] shape = tile.length == 2 ? new long[] {g.rows(), tile[0], tile[1]} : new long[] {g.rows(), tile[0]};
        return transform.decodeTiles(manager.create(dense, new Shape(shape)));
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
        ownPrevious = null;
    }

    /** Forgets this client's last result, for a round whose consensus did not include it. */
    public void forgetOwnResult() { ownPrevious = null; }

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
            NDArray update = decodeAll(member -> {
                List<CompressedTensor> forParam = new ArrayList<>(results.size());
                for (List<CompressedTensor> r : results) forParam.add(r.get(member));
                return forParam;
            });
            params.flat().subi(toParameterOrder(update.sign().muli(lr)));
        }
    }

    @Override public void close() {
        closeStepState();
        transform.close();
        manager.close();
    }
}
