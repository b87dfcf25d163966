package psyche.train.distro;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An independent DisTrO written with explicit DCT matrices and plain loops over double[], following the spec text
 * rather than the production code: used as the oracle in the tests.
 */
final class DistroReference {
    private DistroReference() {}

    static int chunk(int s, int target) {
        int best = 1;
        for (int c = 1; c <= Math.min(s, target); c++) if (s % c == 0) best = c;
        return best;
    }

    /** Orthonormal DCT-II matrix D[u][j] (row u = frequency). */
    static double[][] dct(int n) {
        double[][] d = new double[n][n];
        for (int u = 0; u < n; u++) {
            for (int j = 0; j < n; j++) {
                d[u][j] = (u == 0 ? Math.sqrt(1.0 / n) : Math.sqrt(2.0 / n)) * Math.cos(Math.PI * u * (2 * j + 1) / (2.0 * n));
            }
        }
        return d;
    }

    /** Tiles of a [rows, cols] (cols = 1 for 1-D) tensor, each flattened: coefficient (u, v) at u*c2+v. */
    static double[][] encode(double[] x, int[] shape, int target) {
        boolean twoD = shape.length == 2;
        int s1 = shape[0], s2 = twoD ? shape[1] : 1;
        int c1 = chunk(s1, target), c2 = twoD ? chunk(s2, target) : 1;
        double[][] d1 = dct(c1), d2 = dct(c2);
        int tilesA = s1 / c1, tilesB = s2 / c2;
        double[][] out = new double[tilesA * tilesB][c1 * c2];
        for (int a = 0; a < tilesA; a++) {
            for (int b = 0; b < tilesB; b++) {
                for (int u = 0; u < c1; u++) {
                    for (int v = 0; v < c2; v++) {
                        double acc = 0;
                        for (int j = 0; j < c1; j++) {
                            for (int l = 0; l < c2; l++) {
                                acc += d1[u][j] * x[(a * c1 + j) * s2 + b * c2 + l] * d2[v][l];
                            }
                        }
                        out[a * tilesB + b][u * c2 + v] = acc;
                    }
                }
            }
        }
        return out;
    }

    static double[] decode(double[][] tiles, int[] shape, int target) {
        boolean twoD = shape.length == 2;
        int s1 = shape[0], s2 = twoD ? shape[1] : 1;
        int c1 = chunk(s1, target), c2 = twoD ? chunk(s2, target) : 1;
        double[][] d1 = dct(c1), d2 = dct(c2);
        int tilesB = s2 / c2;
        double[] x = new double[s1 * s2];
        for (int t = 0; t < tiles.length; t++) {
            int a = t / tilesB, b = t % tilesB;
            for (int j = 0; j < c1; j++) {
                for (int l = 0; l < c2; l++) {
                    double acc = 0;
                    for (int u = 0; u < c1; u++) for (int v = 0; v < c2; v++) acc += d1[u][j] * tiles[t][u * c2 + v] * d2[v][l];
                    x[(a * c1 + j) * s2 + b * c2 + l] = acc;
                }
            }
        }
        return x;
    }

    /** Per tile, the indices of the k largest |values|, largest first. */
    static int[][] topk(double[][] tiles, int topk) {
        int k = Math.max(1, Math.min(topk, tiles[0].length));
        int[][] out = new int[tiles.length][];
        for (int t = 0; t < tiles.length; t++) {
            double[] row = tiles[t];
            out[t] = IntStream.range(0, row.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -Math.abs(row[i])))
                    .limit(k).mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** Mean of the values given for each coefficient by several (indices, values) results; 0 where none. */
    static double[][] scatterMean(int rows, int totalk, List<int[][]> idx, List<double[][]> val) {
        double[][] sum = new double[rows][totalk];
        int[][] n = new int[rows][totalk];
        for (int r = 0; r < idx.size(); r++) {
            for (int t = 0; t < rows; t++) {
                for (int j = 0; j < idx.get(r)[t].length; j++) {
                    sum[t][idx.get(r)[t][j]] += val.get(r)[t][j];
                    n[t][idx.get(r)[t][j]]++;
                }
            }
        }
        for (int t = 0; t < rows; t++) for (int i = 0; i < totalk; i++) if (n[t][i] > 0) sum[t][i] /= n[t][i];
        return sum;
    }

    static double[][] gather(double[][] tiles, int[][] idx) {
        double[][] v = new double[idx.length][];
        for (int t = 0; t < idx.length; t++) {
            v[t] = new double[idx[t].length];
            for (int j = 0; j < idx[t].length; j++) v[t][j] = tiles[t][idx[t][j]];
        }
        return v;
    }

    /** One client's reference optimizer state for a set of parameters. */
    static final class Client {
        final List<double[]> x = new ArrayList<>();
        final List<double[]> delta = new ArrayList<>();
        final List<int[]> shapes;
        final int chunk, topk;
        final double decay, wd;
        final boolean oneBit;
        /** Elements whose update was within float noise of 0 at some step: their sign is not defined by the math. */
        final List<boolean[]> ambiguous = new ArrayList<>();
        List<int[][]> prevIdx;
        List<double[][]> prevVal;

        Client(List<double[]> init, List<int[]> shapes, int chunk, int topk, double decay, double wd, boolean oneBit) {
            for (double[] p : init) {
                x.add(p.clone());
                delta.add(new double[p.length]);
                ambiguous.add(new boolean[p.length]);
            }
            this.shapes = shapes;
            this.chunk = chunk;
            this.topk = topk;
            this.decay = decay;
            this.wd = wd;
            this.oneBit = oneBit;
        }

        void errorCorrection(double prevLr) {
            for (int p = 0; p < x.size(); p++) {
                for (int i = 0; i < x.get(p).length; i++) x.get(p)[i] -= prevLr * Math.signum(delta.get(p)[i]);
            }
        }

        /** Returns per parameter {indices, values-as-sent}. */
        List<Object[]> generate(List<double[]> grads, double prevLr, double lr) {
            List<Object[]> out = new ArrayList<>();
            List<int[][]> idxs = new ArrayList<>();
            List<double[][]> vals = new ArrayList<>();
            for (int p = 0; p < x.size(); p++) {
                double[] xp = x.get(p), dp = delta.get(p);
                for (int i = 0; i < xp.length; i++) xp[i] += prevLr * Math.signum(dp[i]);
                if (prevIdx != null) {
                    double[][] tiles = scatterMean(prevIdx.get(p).length, encode(dp, shapes.get(p), chunk)[0].length,
                            List.<int[][]>of(prevIdx.get(p)), List.<double[][]>of(prevVal.get(p)));
                    double[] shared = decode(tiles, shapes.get(p), chunk);
                    for (int i = 0; i < dp.length; i++) dp[i] -= shared[i];
                }
                if (wd != 0) for (int i = 0; i < xp.length; i++) xp[i] *= 1 - lr * wd;
                for (int i = 0; i < dp.length; i++) dp[i] = dp[i] * decay + lr * grads.get(p)[i];
                double[][] coeffs = encode(dp, shapes.get(p), chunk);
                int[][] idx = topk(coeffs, topk);
                double[][] val = gather(coeffs, idx);
                idxs.add(idx);
                vals.add(val);
                double[][] sent = val;
                if (oneBit) {
                    sent = new double[val.length][];
                    for (int t = 0; t < val.length; t++) {
                        sent[t] = Arrays.stream(val[t]).map(v -> Double.doubleToRawLongBits(v) < 0 ? -1 : 1).toArray();
                    }
                }
                out.add(new Object[] {idx, sent});
            }
            prevIdx = idxs;
            prevVal = vals;
            return out;
        }

        void apply(List<List<Object[]>> results, double lr) {
            for (int p = 0; p < x.size(); p++) {
                List<int[][]> idx = new ArrayList<>();
                List<double[][]> val = new ArrayList<>();
                for (List<Object[]> r : results) {
                    idx.add((int[][]) r.get(p)[0]);
                    val.add((double[][]) r.get(p)[1]);
                }
                int rows = idx.get(0).length;
                int totalk = encode(new double[x.get(p).length], shapes.get(p), chunk)[0].length;
                double[] update = decode(scatterMean(rows, totalk, idx, val), shapes.get(p), chunk);
                for (int i = 0; i < update.length; i++) {
                    if (Math.abs(update[i]) < 1e-6) ambiguous.get(p)[i] = true;
                    x.get(p)[i] -= lr * Math.signum(update[i]);
                }
            }
        }
    }
}
