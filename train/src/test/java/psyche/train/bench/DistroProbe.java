package psyche.train.bench;

import ai.djl.Device;
import psyche.config.Optimizer;
import psyche.train.LlamaConfig;
import psyche.train.LlamaModel;
import psyche.train.TorchRuntime;
import psyche.train.distro.CompressedTensor;
import psyche.train.distro.Distro;
import psyche.train.distro.DistroLayout;
import psyche.train.distro.DistroResult;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Manual probe (not a test): the DisTrO phases of TrainingBench's step on llama2-20m without the forward/backward.
 * One forward/backward gives real gradients, then {@code steps} rounds of look-ahead, clip + generate + wire encode
 * ("compress") and wire decode + apply + look-ahead ("apply", as the benchmark counts them) reuse them; prints each
 * phase's median. Args: steps, threads, batch of the one forward/backward, peers (results applied per round: this
 * client's own plus peers - 1 perturbed copies). Ends with a hash of the parameters and residual for A/B bit checks.
 */
public final class DistroProbe {
    public static void main(String[] args) {
        int steps = Integer.parseInt(args[0]), threads = Integer.parseInt(args[1]), batch = Integer.parseInt(args[2]);
        int peers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        TorchRuntime.noGradOnThisThread();
        TorchRuntime.setThreads(threads);
        LlamaConfig cfg = LlamaConfig.llama2_20m();
        Optimizer.Distro d = new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 8, 64, true);
        Random r = new Random(1);
        int[][] samples = new int[batch][513];
        for (int[] row : samples) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(cfg.vocabSize());
        try (LlamaModel model = LlamaModel.create(cfg, Device.cpu(), 1);
             Distro distro = new Distro(d, model.parameters(), model.manager())) {
            DistroLayout layout = DistroLayout.forParameters(model.parameters(), d);
            model.zeroGradients();
            model.forwardBackward(samples);
            String[] names = {"lookahead", "clip", "generate", "encode", "decode", "apply"};
            double[][] t = new double[names.length][steps];
            Random peer = new Random(7);
            for (int s = 0; s < steps; s++) {
                long[] at = new long[names.length + 1];
                at[0] = System.nanoTime();
                distro.errorCorrection(1e-3);
                at[1] = System.nanoTime();
                distro.clipGradients();
                at[2] = System.nanoTime();
                List<CompressedTensor> res = distro.generate(1e-3, 1e-3);
                at[3] = System.nanoTime();
                byte[] wire = new DistroResult(1, 0, 0, batch - 1, res).encode();
                at[4] = System.nanoTime();
                List<List<CompressedTensor>> round = new java.util.ArrayList<>();
                round.add(DistroResult.decode(wire, layout).tensors());
                for (int p = 1; p < peers; p++) round.add(shuffled(round.get(0), peer));
                at[5] = System.nanoTime();
                distro.apply(round, 1e-3);
                at[6] = System.nanoTime();
                for (int i = 0; i < names.length; i++) t[i][s] = (at[i + 1] - at[i]) / 1e9;
            }
            StringBuilder sb = new StringBuilder();
            double compress = 0, apply = 0;
            for (int i = 0; i < names.length; i++) {
                double m = median(t[i]);
                sb.append(String.format("%s %.4f  ", names[i], m));
                if (i >= 1 && i <= 3) compress += m; else apply += m;
            }
            System.out.println(sb);
            System.out.printf("compress %.4f s, apply %.4f s, sum %.4f s (medians of %d steps, %d threads, %d results)%n",
                    compress, apply, compress + apply, steps, threads, peers);
            long h = 1125899906842597L;
            for (float v : model.parameters().flat().toFloatArray()) h = 31 * h + Float.floatToRawIntBits(v);
            for (int i = 0; i < model.parameters().size(); i++) for (float v : distro.delta(i)) h = 31 * h + Float.floatToRawIntBits(v);
            System.out.printf("state hash %016x%n", h);
        }
    }

    /** A peer's result: the same tiles with other (seeded) indices and signs. */
    static List<CompressedTensor> shuffled(List<CompressedTensor> own, Random r) {
        List<CompressedTensor> out = new java.util.ArrayList<>();
        for (CompressedTensor c : own) {
            int[] idx = c.indices().clone();
            float[] val = c.values().clone();
            for (int row = 0; row < c.rows(); row++) {
                java.util.BitSet used = new java.util.BitSet();
                for (int j = 0; j < c.k(); j++) {
                    int v;
                    do v = r.nextInt((int) c.totalk()); while (used.get(v));
                    used.set(v);
                    idx[row * c.k() + j] = v;
                    val[row * c.k() + j] = r.nextBoolean() ? 1f : -1f;
                }
            }
            out.add(new CompressedTensor(c.xshape(), c.totalk(), c.k(), idx, val, c.quantized()).sortedByIndex());
        }
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
