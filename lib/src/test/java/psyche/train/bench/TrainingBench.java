package psyche.train.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import psyche.config.Optimizer;
import psyche.train.LlamaConfig;
import psyche.train.LlamaModel;
import psyche.train.TorchRuntime;
import psyche.train.distro.CompressedTensor;
import psyche.train.distro.Distro;
import psyche.train.distro.DistroLayout;
import psyche.train.distro.DistroResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Benchmark program (not a test): one DisTrO client's step on CPU split into forward/backward, compress and apply,
 * against the same model, batch and DisTrO step in PyTorch eager ({@code src/test/python/bench_llama_eager.py},
 * Debian's python3-torch) run in the same process tree; then bytes per result vs dense bf16 at chunk 64, top-k 8,
 * 1-bit.
 *
 * <p>Run: {@code mvn -o -q -pl lib test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=psyche.train.bench.TrainingBench} (or java -cp with the test class path). Args: [steps] [threads].
 */
public final class TrainingBench {
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int batch = 16, seq = 64;
        LlamaConfig cfg = LlamaConfig.tiny(1024);
        Optimizer.Distro distroCfg = new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 8, 64, true);
        TorchRuntime.noGradOnThisThread();
        TorchRuntime.setThreads(threads);
        System.out.printf("model: %s (%d parameters), batch %d x %d tokens, %d steps, %d threads%n", cfg,
                cfg.parameterCount(), batch, seq, steps, threads);

        double[] split = stepSplit(cfg, distroCfg, batch, seq, steps);
        double mf = split[0], mc = split[1], ma = split[2], step = mf + mc + ma;
        double djlTps = batch * seq / step;
        System.out.printf("DJL step (median): forward/backward %.4f s, compress %.4f s, apply %.4f s, total %.4f s, %.0f tokens/s "
                + "(process CPU per wall second %.2f)%n", mf, mc, ma, step, djlTps, split[3]);
        System.out.printf("DisTrO share of step time: %.1f%% (target <= 10%%)%n", 100 * (mc + ma) / step);

        Path script = Path.of("src/test/python/bench_llama_eager.py");
        if (!Files.exists(script)) script = Path.of("lib/src/test/python/bench_llama_eager.py");
        String python = System.getenv().getOrDefault("PYTHON", "/usr/bin/python3");
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        for (int v : new int[] {cfg.hiddenSize(), cfg.numHiddenLayers(), cfg.numAttentionHeads(), cfg.numKeyValueHeads(),
                cfg.intermediateSize(), cfg.vocabSize(), batch, seq, steps, threads}) cmd.add(Integer.toString(v));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0) throw new IllegalStateException(out);
            JsonNode j = new ObjectMapper().readTree(out.substring(out.lastIndexOf('{')));
            double torchFb = j.get("median_forward_backward_s").asDouble();
            double torchDistro = j.get("median_distro_s").asDouble();
            double torchStep = j.get("median_step_s").asDouble();
            double torchTps = j.get("tokens_per_s").asDouble();
            System.out.printf("PyTorch %s eager, same model, batch and DisTrO step (per parameter, as DeMo/distro.rs): "
                    + "forward/backward %.4f s, DisTrO %.4f s, total %.4f s, %.0f tokens/s (process CPU per wall second "
                    + "%.2f)%n", j.get("torch").asText(), torchFb, torchDistro, torchStep, torchTps,
                    j.get("cpu_per_wall").asDouble());
            System.out.printf("ratio DJL/PyTorch tokens/s: whole step %.2fx (target >= 1.0x); forward/backward %.2fx, "
                    + "DisTrO %.2fx%n", djlTps / torchTps, torchFb / mf, torchDistro / (mc + ma));
        } catch (Exception e) {
            System.out.println("PyTorch baseline not run (" + e.getMessage() + "): apt-get install python3-torch, or set PYTHON");
        }

        double[] wide = stepSplit(cfg, distroCfg, 64, seq, Math.max(3, steps / 2));
        System.out.printf("same model, batch 64 x %d: forward/backward %.4f s, DisTrO %.4f s, share %.1f%% "
                + "(DisTrO cost does not grow with the batch)%n", seq, wide[0], wide[1] + wide[2],
                100 * (wide[1] + wide[2]) / (wide[0] + wide[1] + wide[2]));
        LlamaConfig larger = new LlamaConfig(256, 4, 8, 4, 704, 1024, 512, 10000.0, 1e-5, true);
        double[] big = stepSplit(larger, distroCfg, batch, seq, Math.max(3, steps / 4));
        System.out.printf("larger model (hidden 256, 4 layers, %d parameters): forward/backward %.4f s, compress %.4f s, "
                + "apply %.4f s, DisTrO share %.1f%%%n", larger.parameterCount(), big[0], big[1], big[2],
                100 * (big[1] + big[2]) / (big[0] + big[1] + big[2]));

        compression(cfg);
        compression(new LlamaConfig(512, 2, 8, 4, 1408, 8192, 2048, 10000.0, 1e-5, false));
        compression(new LlamaConfig(1024, 2, 16, 4, 2816, 32000, 2048, 10000.0, 1e-5, false));
    }

    /**
     * Median seconds of forward/backward, compress (generate + wire encode) and apply (decode + apply) per step, and
     * the process's CPU seconds per wall second over the timed steps (to see that the thread limit held).
     */
    static double[] stepSplit(LlamaConfig cfg, Optimizer.Distro distroCfg, int batch, int seq, int steps) {
        Random r = new Random(1);
        int[][] samples = new int[batch][seq + 1];
        for (int[] row : samples) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(cfg.vocabSize());
        double[] fb = new double[steps], comp = new double[steps], apply = new double[steps];
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = 0, wallStart = 0;
        try (LlamaModel m = LlamaModel.create(cfg, Device.cpu(), 1);
             Distro d = new Distro(distroCfg, m.parameters(), m.manager())) {
            DistroLayout layout = DistroLayout.forParameters(m.parameters(), distroCfg);
            for (int s = -5; s < steps; s++) {
                if (s == 0) {
                    cpuStart = os.getProcessCpuTime();
                    wallStart = System.nanoTime();
                }
                d.errorCorrection(1e-3);
                long t0 = System.nanoTime();
                m.zeroGradients();
                m.forwardBackward(samples);
                long t1 = System.nanoTime();
                d.clipGradients();
                List<CompressedTensor> res = d.generate(1e-3, 1e-3);
                byte[] wire = new DistroResult(1, 0, 0, batch - 1, res).encode();
                long t2 = System.nanoTime();
                d.apply(List.of(DistroResult.decode(wire, layout).tensors()), 1e-3);
                long t3 = System.nanoTime();
                if (s >= 0) {
                    fb[s] = (t1 - t0) / 1e9;
                    comp[s] = (t2 - t1) / 1e9;
                    apply[s] = (t3 - t2) / 1e9;
                }
            }
            double cpuPerWall = (double) (os.getProcessCpuTime() - cpuStart) / (System.nanoTime() - wallStart);
            return new double[] {median(fb), median(comp), median(apply), cpuPerWall};
        }
    }

    /**
     * Bytes of one 1-bit DisTrO result at chunk 64, top-k 8 vs the dense bf16 parameters, after three steps on random
     * tokens; beside it the format's worst case for the layout (the guaranteed ratio) and what the spec's fixed-width
     * u8/u16/u32 indices plus packed sign bits alone would take (the previous format's payload, headers left out).
     */
    static void compression(LlamaConfig cfg) {
        Optimizer.Distro c = new Optimizer.Distro(Optional.empty(), Optional.empty(), 0.999f, 8, 64, true);
        try (LlamaModel m = LlamaModel.create(cfg, Device.cpu(), 2); Distro d = new Distro(c, m.parameters(), m.manager())) {
            DistroLayout layout = DistroLayout.forParameters(m.parameters(), c);
            Random r = new Random(3);
            int[][] sample = new int[4][33];
            DistroResult res = null;
            for (int s = 0; s < 3; s++) {
                for (int[] row : sample) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(cfg.vocabSize());
                double prevLr = s == 0 ? 0 : 1e-3;
                d.errorCorrection(prevLr);
                m.zeroGradients();
                m.forwardBackward(sample);
                List<CompressedTensor> mine = d.generate(prevLr, 1e-3);
                d.apply(List.of(mine), 1e-3);
                res = new DistroResult(s, 0, 0, sample.length - 1, mine);
            }
            long dense = 0;
            for (NDArray p : m.parameters().values()) dense += p.size() * 2;
            long entries = 0, specWidth = 0;
            for (CompressedTensor t : res.tensors()) {
                entries += t.indices().length;
                specWidth += (long) t.indices().length * CompressedTensor.indexWidth(t.totalk()) + (t.indices().length + 7) / 8;
            }
            int bytes = res.byteCount();
            long worst = layout.maxResultBytes();
            System.out.printf("compression %s (%d parameters, %d tensors, %d coefficients): result %d B = %.0fx dense bf16 "
                            + "(%d B), %.2f bits per coefficient; worst case %d B = %.0fx guaranteed (target >= 480x); "
                            + "spec-width indices + signs alone %d B = %.0fx%n",
                    Arrays.asList(cfg.hiddenSize(), cfg.numHiddenLayers(), cfg.vocabSize()), dense / 2,
                    res.tensors().size(), entries, bytes, (double) dense / bytes, dense, 8.0 * bytes / entries, worst,
                    (double) dense / worst, specWidth, (double) dense / specWidth);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
