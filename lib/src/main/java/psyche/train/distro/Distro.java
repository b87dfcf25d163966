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
 * layout, so the sign steps are one call each. The buffer keeps parameters of equal shape next to each other; a
 * {@link Run} of neighbours with the same tile and column count is one matrix, whose tiles go through the DCT with two
 * matrix products and through top-k at once, in place (no gather into tile order). The two inverse transforms of a
 * step (this client's previous result, the round's mean) are computed from their few nonzero coefficients
 * ({@link DctTransform#sparseDecode}): 2m instead of 2(c1+c2) multiply-adds per element.
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

    /** This step's gradients of every parameter, laid out as the parameter buffer (one buffer, not in any scope). */
    private NDArray gradients() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> views = new ArrayList<>(params.values());
            NDList flat = new NDList(params.size());
            for (int i : params.bufferOrder()) flat.add(views.get(i).getGradient().reshape(-1));
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
                delta.subi(decodeAll(member -> List.of(ownPrevious.get(member))));
            }
            double wd = config.weightDecay().orElse(0f);
            if (wd != 0.0) x.muli(1.0 - lr * wd);
            if (config.compressionDecay() != 1.0f) delta.muli((double) config.compressionDecay());
            delta.addi(grads.muli(lr));
            for (Run r : runs) compressRun(r, full);
        } finally {
            grads.close();
        }
        ownPrevious = List.of(full);
        if (!config.quantize1bit()) return ownPrevious;
        List<CompressedTensor> signs = new ArrayList<>(full.length);
        for (CompressedTensor c : full) signs.add(c.quantize());
        return signs;
    }

    /** DCT and top-k of the run's residual tiles at once; the entries are split back per parameter. */
    private void compressRun(Run r, CompressedTensor[] out) {
        long[] tile = r.tile();
        NDArray residual = delta.get(new NDIndex("{}:{}", r.start(), r.end()));
        NDArray coeffs = tile.length == 2 ? transform.encodeMatrix(residual, r.rows(), r.cols(), tile[0], tile[1])
                : transform.encodeTiles(residual.reshape(r.tiles(), tile[0]));
        // one row of tiles per tile: [tiles, 1, c1, c2] (or [tiles, c]) is a tile shape DistroCodec reads
        CompressedTensor all = DistroCodec.compress(tile.length == 2 ? coeffs.reshape(r.tiles(), 1, tile[0], tile[1])
                : coeffs, config.compressionTopk());
        int k = all.k();
        for (int j = 0; j < r.members().length; j++) {
            int i = r.members()[j];
            int from = r.firstTile()[j] * k, to = from + CompressedTensor.rows(xshapes.get(i)) * k;
            out[i] = new CompressedTensor(xshapes.get(i), all.totalk(), k, Arrays.copyOfRange(all.indices(), from, to),
                    Arrays.copyOfRange(all.values(), from, to), false);
        }
    }

    /** {@link #decodeRun} of every run, concatenated: the whole model, laid out as the parameter buffer. */
    private NDArray decodeAll(IntFunction<List<CompressedTensor>> resultsOf) {
        NDList parts = new NDList(runs.size());
        for (Run r : runs) parts.add(decodeRun(r, resultsOf));
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    /**
     * Inverse DCT of the mean of several results for every parameter of the run, laid out as the run's matrix
     * (flattened): each result's entry enters with weight value / (number of results naming that coefficient), which
     * is the scatter-reduce mean.
     */
    private NDArray decodeRun(Run g, IntFunction<List<CompressedTensor>> resultsOf) {
        int totalk = g.totalk();
        int m = 0;
        for (CompressedTensor c : resultsOf.apply(g.members()[0])) m += c.k();
        int[] index = new int[g.tiles() * m];
        float[] weight = new float[g.tiles() * m];
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
                int at = (g.firstTile()[j] + row) * m;
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
        NDArray tiles;
        if (m < denseCost) {
            tiles = transform.sparseDecode(manager, tile, g.tiles(), m, index, weight);
        } else {
            // many results: scattering into dense tiles and a dense inverse DCT is cheaper
            float[] dense = new float[g.tiles() * totalk];
            for (int e = 0; e < index.length; e++) dense[(e / m) * totalk + index[e]] += weight[e];
            long[] shape = tile.length == 2 ? new long[] {g.tiles(), tile[0], tile[1]} : new long[] {g.tiles(), tile[0]};
            tiles = transform.decodeTiles(manager.create(dense, new Shape(shape)));
        }
        if (tile.length == 1 || g.tilesAcross() == 1) return tiles.reshape(-1);
        // tiles [a, b, c1, c2] back to rows of the matrix [a, c1, b, c2]
        return tiles.reshape(g.rows() / tile[0], g.tilesAcross(), tile[0], tile[1]).transpose(0, 2, 1, 3).reshape(-1);
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
            params.flat().subi(update.sign().muli(lr));
        }
    }

    @Override public void close() {
        closeStepState();
        transform.close();
        manager.close();
    }
}
