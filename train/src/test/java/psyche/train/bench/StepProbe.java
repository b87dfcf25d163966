package psyche.train.bench;

import psyche.config.Optimizer;
import psyche.train.LlamaConfig;
import psyche.train.TorchRuntime;

import java.util.Optional;

/** Manual probe: per-step split (forward/backward, compress, apply) of one DisTrO client on llama2-20m. */
public final class StepProbe {
    /** Minor page faults of this process so far (field 10 of /proc/self/stat), or -1 where there is none. */
    static long minorFaults() {
        return stat(7);
    }

    /** Field {@code i + 3} of /proc/self/stat (7: minflt, 11: utime, 12: stime in clock ticks), or -1. */
    static long stat(int i) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[i]); // fields after the command name start at field 3 (state)
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size in MiB (from /proc/self/statm), or -1. */
    static long rssMiB() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/statm")).trim().split(" ");
            return Long.parseLong(f[1]) * 4096 / (1 << 20);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    public static void main(String[] args) {
        int steps = Integer.parseInt(args[0]), threads = Integer.parseInt(args[1]), batch = Integer.parseInt(args[2]);
        TorchRuntime.noGradOnThisThread();
        TorchRuntime.setThreads(threads);
        Optimizer.Distro d = new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 8, 64, true);
        try (TrainingBench.Stepper s = new TrainingBench.Stepper(LlamaConfig.llama2_20m(), d, batch, 512)) {
            for (int i = 0; i < steps; i++) {
                long f0 = minorFaults(), k0 = stat(12);
                TrainingBench.StepTimes st = s.run(1);
                long f1 = minorFaults(), k1 = stat(12);
                double[] t = st.rounds.get(0)[0];
                System.out.printf("step %d: forward/backward %.3f s, compress %.3f s, apply %.3f s, process CPU %.3f s, "
                        + "system CPU %.2f s, minor faults %d, RSS %d MiB%n", i, t[0], t[1], t[2], st.cpu, (k1 - k0) / 100.0, f1 - f0, rssMiB());
            }
        }
    }
}
