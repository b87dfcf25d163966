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
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * Benchmark program (not a test): one DisTrO client's step on CPU split into forward/backward, compress and apply,
 * against the same model, batch and DisTrO step in PyTorch eager ({@code src/test/python/bench_llama_eager.py},
 * Debian's python3-torch) run in the same process tree; then bytes per result vs dense bf16 at chunk 64, top-k 8,
 * 1-bit.
 *
 * <p>Baselines, each where its python is found: PyTorch 2.x eager and the same under {@code torch.compile} from the
 * Hugging Face reference venv ({@code PSYCHE_HF_PYTHON}, default {@code ~/.cache/psyche/hf-venv/bin/python}, which
 * {@code bin/run-tests} creates from the local pip index), and Debian's torch 1.13 eager ({@code PYTHON}, default
 * {@code /usr/bin/python3}).
 *
 * <p>Run: {@code mvn -o -q -pl lib test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=psyche.train.bench.TrainingBench -Dexec.args="20 2 llama2-20m"} (or java -cp with the test class
 * path). Args: [steps] [threads] [model: tiny (default) or llama2-20m, the preset of {@code train --model}] [batch].
 * The sides run in alternating rounds (steps / 6 each, at least one) after warming up, so a machine that speeds up or
 * slows down during the run affects all alike; medians are over all rounds, and each round pair's ratio is printed.
 *
 * <p>Warm-up: the tiny model's steps are short, so DJL steps until the JIT has settled (see {@link #warmUp}) and each
 * PyTorch side takes 5 steps. A llama2-20m step is seconds of native work in which the JIT hardly matters, so each
 * side takes a fixed {@value #BIG_WARMUP} steps ({@code torch.compile} compiles in its first); its default batch is
 * 4 sequences of 512 tokens (the preset's run config trains 8 per step) so that {@code 6 2 llama2-20m} ends in about
 * 5 minutes on 2 quiet cores. The program prints its wall time and each side's CPU per wall second (about the thread
 * count when the machine is not shared).
 */
public final class TrainingBench {
    private static final int ROUNDS = 6;
    /** Warm-up steps of each side on llama2-20m. */
    private static final int BIG_WARMUP = 2;

    /** VmHWM of /proc/self/status (this JVM: the DJL side, and its JIT and heap), or "unknown". */
    static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return String.format(Locale.ROOT, "%.2f GiB", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576.0);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // below
        }
        return "unknown";
    }

    /**
     * The malloc this process runs on (jemalloc or tcmalloc when preloaded, else glibc's) with the environment that
     * tunes it: LD_PRELOAD, MALLOC_CONF, GLIBC_TUNABLES.
     */
    static String allocator() {
        String lib = "glibc malloc";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.contains("libjemalloc")) { lib = "jemalloc"; break; }
                if (line.contains("libtcmalloc")) { lib = "tcmalloc"; break; }
            }
        } catch (java.io.IOException | RuntimeException e) {
            lib = "unknown (no /proc/self/maps)";
        }
        StringBuilder env = new StringBuilder(lib);
        for (String k : new String[] {"LD_PRELOAD", "MALLOC_CONF", "GLIBC_TUNABLES"}) {
            String v = System.getenv(k);
            if (v != null && !v.isEmpty()) env.append(", ").append(k).append('=').append(v);
        }
        return env.toString();
    }

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        boolean big = args.length > 2 && args[2].equals("llama2-20m");
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : big ? 4 : 16, seq = big ? 512 : 64;
        long wall0 = System.nanoTime();
        LlamaConfig cfg = big ? LlamaConfig.llama2_20m() : LlamaConfig.tiny(1024);
        Optimizer.Distro distroCfg = new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 8, 64, true);
        TorchRuntime.noGradOnThisThread();
        TorchRuntime.setThreads(threads);
        int rounds = Math.min(ROUNDS, Math.max(1, steps)), perRound = Math.max(1, steps / rounds);
        System.out.printf("model: %s (%d parameters), batch %d x %d tokens, %d rounds of %d steps for each side, "
                + "alternating, %d threads%n", cfg, cfg.parameterCount(), batch, seq, rounds, perRound, threads);
        System.out.println("allocator: " + allocator() + " (the PyTorch processes inherit this environment)");

        String hf = System.getenv().getOrDefault("PSYCHE_HF_PYTHON",
                Path.of(System.getProperty("user.home"), ".cache", "psyche", "hf-venv", "bin", "python").toString());
        String debian = System.getenv().getOrDefault("PYTHON", "/usr/bin/python3");
        List<PyTorchEager> baselines = new ArrayList<>();
        try (Stepper djl = new Stepper(cfg, distroCfg, batch, seq)) {
            for (String[] b : new String[][] {{hf, "0"}, {hf, "1"}, {debian, "0"}}) {
                PyTorchEager p = PyTorchEager.start(b[0], cfg, batch, seq, threads, b[1].equals("1"), big ? BIG_WARMUP : 5);
                if (p != null) baselines.add(p);
            }
            if (big) {
                djl.run(BIG_WARMUP);
                System.out.printf("warm-up: %d steps on each side (%.0f s so far)%n", BIG_WARMUP, (System.nanoTime() - wall0) / 1e9);
            } else {
                int warm = warmUp(djl, 40);
                System.out.printf("DJL warm-up: %d steps, until a 10-step round saw under 1%% of its time compiled by the JIT%n", warm);
            }
            StepTimes mine = new StepTimes();
            List<StepTimes> theirsAll = new ArrayList<>();
            for (int i = 0; i < baselines.size(); i++) theirsAll.add(new StepTimes());
            for (int r = 0; r < rounds; r++) {
                mine.add(djl.run(perRound));
                for (int i = 0; i < baselines.size(); i++) theirsAll.get(i).add(baselines.get(i).run(perRound));
            }
            double mf = mine.median(0), mc = mine.median(1), ma = mine.median(2), step = mf + mc + ma;
            double djlTps = batch * seq / step;
            System.out.printf("DJL step (median): forward/backward %.4f s, compress %.4f s, apply %.4f s, total %.4f s, "
                    + "%.0f tokens/s (process CPU per wall second %.2f)%n", mf, mc, ma, step, djlTps, mine.cpuPerWall());
            System.out.printf("DisTrO share of step time: %.1f%% (target <= 10%%)%n", 100 * (mc + ma) / step);
            for (int i = 0; i < baselines.size(); i++) {
                PyTorchEager torch = baselines.get(i);
                StepTimes theirs = theirsAll.get(i);
                double tf = theirs.median(0), td = theirs.median(1), torchTps = batch * seq / (tf + td);
                System.out.printf("PyTorch %s, same model, batch and DisTrO step (per parameter, as DeMo/distro.rs): "
                        + "forward/backward %.4f s, DisTrO %.4f s, total %.4f s, %.0f tokens/s (process CPU per wall second "
                        + "%.2f)%n", torch.version, tf, td, tf + td, torchTps, theirs.cpuPerWall());
                System.out.printf("ratio DJL/PyTorch %s tokens/s: whole step %.2fx (targets: >= 1.0x eager, >= 0.8x "
                        + "torch.compile); forward/backward %.2fx, DisTrO %.2fx%n", torch.version, djlTps / torchTps, tf / mf,
                        td / (mc + ma));
                System.out.printf("ratio DJL/PyTorch %s tokens per CPU second (all rounds; less sensitive to other load on "
                        + "the machine): %.2fx%n", torch.version, theirs.cpuPerToken() / mine.cpuPerToken());
                System.out.printf("baseline BLAS: %s; OPENBLAS_CORETYPE=%s%n", torch.blas,
                        System.getenv().getOrDefault("OPENBLAS_CORETYPE", "(unset: OpenBLAS picks this CPU's kernels)"));
                if (torch.blas.contains("/blas/libblas")) {
                    System.out.println("WARNING: the baseline runs on Debian's reference BLAS, many times slower than a tuned one: "
                            + "apt-get install libopenblas0-pthread for a fair ratio");
                }
                System.out.printf("per round (DJL/PyTorch tokens/s, medians of %d steps): %s%n", perRound,
                        mine.roundRatios(theirs));
            }
        } finally {
            for (PyTorchEager p : baselines) p.close();
        }
        System.out.printf("benchmark wall time %.0f s; this process's peak RSS %s%n", (System.nanoTime() - wall0) / 1e9, peakRss());
        if (big) return; // the tiny model's extra lines below

        double[] wide = stepSplit(cfg, distroCfg, 64, seq, Math.max(3, steps / 2));
        System.out.printf("same model, batch 64 x %d: forward/backward %.4f s, DisTrO %.4f s, share %.1f%% "
                + "(DisTrO cost does not grow with the batch)%n", seq, wide[0], wide[1] + wide[2],
                100 * (wide[1] + wide[2]) / (wide[0] + wide[1] + wide[2]));
        LlamaConfig larger = new LlamaConfig(256, 4, 8, 4, 704, 1024, 512, 10000.0, 1e-5, true);
        double[] larg = stepSplit(larger, distroCfg, batch, seq, Math.max(3, steps / 4));
        System.out.printf("larger model (hidden 256, 4 layers, %d parameters): forward/backward %.4f s, compress %.4f s, "
                + "apply %.4f s, DisTrO share %.1f%%%n", larger.parameterCount(), larg[0], larg[1], larg[2],
                100 * (larg[1] + larg[2]) / (larg[0] + larg[1] + larg[2]));

        compression(cfg);
        compression(new LlamaConfig(512, 2, 8, 4, 1408, 8192, 2048, 10000.0, 1e-5, false));
        compression(new LlamaConfig(1024, 2, 16, 4, 2816, 32000, 2048, 10000.0, 1e-5, false));
    }

    /**
     * Steps {@code s} until the JIT has settled: rounds of 10 steps (40 at least, 600 at most) until one round's JIT
     * compile time is under 1% of its wall time, so the timed rounds measure compiled code on both sides. Returns the
     * steps taken.
     */
    static int warmUp(Stepper s, int minSteps) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        int steps = 0;
        while (steps < 600) {
            long compiled = jit.getTotalCompilationTime(), t0 = System.nanoTime();
            int n = Math.min(10, minSteps);
            s.run(n);
            steps += n;
            double compiledShare = (jit.getTotalCompilationTime() - compiled) / ((System.nanoTime() - t0) / 1e6);
            if (steps >= minSteps && compiledShare < 0.01) break;
        }
        return steps;
    }

    /** Per-step times of several rounds (columns: forward/backward, compress or DisTrO, apply) and CPU per wall. */
    static final class StepTimes {
        final List<double[][]> rounds = new ArrayList<>();
        double cpu, wall;

        void add(StepTimes round) {
            rounds.addAll(round.rounds);
            cpu += round.cpu;
            wall += round.wall;
        }

        double median(int column) {
            List<Double> all = new ArrayList<>();
            for (double[][] round : rounds) for (double[] step : round) all.add(step.length > column ? step[column] : 0.0);
            return TrainingBench.median(all.stream().mapToDouble(Double::doubleValue).toArray());
        }

        double cpuPerWall() { return cpu / wall; }

        /** CPU seconds per step over all rounds (per token up to the batch size, the same on both sides). */
        double cpuPerToken() {
            long n = 0;
            for (double[][] round : rounds) n += round.length;
            return cpu / n;
        }

        /** Step-time ratio of each round pair, other/this (so above 1 means this side is faster). */
        String roundRatios(StepTimes other) {
            StringBuilder sb = new StringBuilder();
            for (int r = 0; r < rounds.size() && r < other.rounds.size(); r++) {
                double mine = TrainingBench.median(total(rounds.get(r))), theirs = TrainingBench.median(total(other.rounds.get(r)));
                sb.append(String.format(Locale.ROOT, "%s%.2fx", r == 0 ? "" : ", ", theirs / mine));
            }
            return sb.toString();
        }

        private static double[] total(double[][] steps) {
            return Arrays.stream(steps).mapToDouble(s -> Arrays.stream(s).sum()).toArray();
        }
    }

    /** One DisTrO client training on fixed random tokens, step by step. */
    static final class Stepper implements AutoCloseable {
        private final LlamaModel model;
        private final Distro distro;
        private final DistroLayout layout;
        private final int[][] samples;
        private final int batch;
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

        Stepper(LlamaConfig cfg, Optimizer.Distro distroCfg, int batch, int seq) {
            Random r = new Random(1);
            this.batch = batch;
            this.samples = new int[batch][seq + 1];
            for (int[] row : samples) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(cfg.vocabSize());
            this.model = LlamaModel.create(cfg, Device.cpu(), 1);
            this.distro = new Distro(distroCfg, model.parameters(), model.manager());
            this.layout = DistroLayout.forParameters(model.parameters(), distroCfg);
        }

        /**
         * {@code n} steps: forward/backward, compress (clip + generate + wire encode), apply (wire decode + apply, and
         * the next step's look-ahead).
         */
        StepTimes run(int n) {
            StepTimes t = new StepTimes();
            double[][] steps = new double[n][];
            long cpu0 = os.getProcessCpuTime(), wall0 = System.nanoTime();
            for (int s = 0; s < n; s++) {
                long e0 = System.nanoTime();
                distro.errorCorrection(1e-3);
                long t0 = System.nanoTime();
                model.zeroGradients();
                model.forwardBackward(samples);
                long t1 = System.nanoTime();
                distro.clipGradients();
                List<CompressedTensor> res = distro.generate(1e-3, 1e-3);
                byte[] wire = new DistroResult(1, 0, 0, batch - 1, res).encode();
                long t2 = System.nanoTime();
                distro.apply(List.of(DistroResult.decode(wire, layout).tensors()), 1e-3);
                long t3 = System.nanoTime();
                // the look-ahead (error correction) is DisTrO work too: counted with apply, whose step it undoes
                steps[s] = new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2 + t0 - e0) / 1e9};
            }
            t.cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            t.wall = (System.nanoTime() - wall0) / 1e9;
            t.rounds.add(steps);
            return t;
        }

        @Override public void close() {
            distro.close();
            model.close();
        }
    }

    /**
     * The PyTorch eager baseline ({@code src/test/python/bench_llama_eager.py}) as a process that runs a round of
     * steps per request, so its rounds interleave with DJL's.
     */
    static final class PyTorchEager implements AutoCloseable {
        private final Process process;
        private final java.io.BufferedReader out;
        private final java.io.Writer in;
        String version = "?", blas = "unknown";

        private PyTorchEager(Process process) {
            this.process = process;
            this.out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()));
            this.in = new java.io.OutputStreamWriter(process.getOutputStream());
        }

        /** Starts the baseline ({@code warmup} steps); null, with the reason printed, when Debian's python3-torch is missing. */
        static PyTorchEager start(String python, LlamaConfig cfg, int batch, int seq, int threads, boolean compile, int warmup) {
            Path script = Path.of("src/test/python/bench_llama_eager.py");
            if (!Files.exists(script)) script = Path.of("train/src/test/python/bench_llama_eager.py");
            List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
            for (int v : new int[] {cfg.hiddenSize(), cfg.numHiddenLayers(), cfg.numAttentionHeads(), cfg.numKeyValueHeads(),
                    cfg.intermediateSize(), cfg.vocabSize(), batch, seq, warmup, threads,
                    cfg.tieWordEmbeddings() ? 1 : 0, compile ? 1 : 0}) cmd.add(Integer.toString(v));
            try {
                PyTorchEager p = new PyTorchEager(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start());
                p.run(1); // proves it runs; also the first request pays for the import
                return p;
            } catch (Exception e) {
                System.out.println("PyTorch baseline " + python + (compile ? " torch.compile" : " eager") + " not run ("
                        + e.getMessage() + "): bin/run-tests creates the PyTorch 2.x venv (PSYCHE_HF_PYTHON); for Debian's "
                        + "torch 1.13: apt-get install python3-torch libopenblas0-pthread, or set PYTHON");
                return null;
            }
        }

        StepTimes run(int n) throws java.io.IOException {
            in.write(n + "\n");
            in.flush();
            String line = out.readLine();
            if (line == null) throw new IllegalStateException("the PyTorch baseline ended (exit " + exitCode() + ")");
            JsonNode j = new ObjectMapper().readTree(line);
            version = j.get("torch").asText();
            blas = j.path("blas").asText("unknown");
            double[][] steps = new double[n][];
            for (int s = 0; s < n; s++) {
                steps[s] = new double[] {j.get("forward_backward_s").get(s).asDouble(), j.get("distro_s").get(s).asDouble()};
            }
            StepTimes t = new StepTimes();
            t.rounds.add(steps);
            t.cpu = j.get("cpu_s").asDouble();
            t.wall = j.get("wall_s").asDouble();
            return t;
        }

        private String exitCode() {
            try {
                return process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "none yet";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown";
            }
        }

        @Override public void close() throws java.io.IOException {
            in.close();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Median seconds of forward/backward, compress and apply over {@code steps} steps after 5 warm-up steps. */
    static double[] stepSplit(LlamaConfig cfg, Optimizer.Distro distroCfg, int batch, int seq, int steps) {
        try (Stepper s = new Stepper(cfg, distroCfg, batch, seq)) {
            s.run(5);
            StepTimes t = s.run(steps);
            return new double[] {t.median(0), t.median(1), t.median(2)};
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
