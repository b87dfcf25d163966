package psyche.train.bench;

import psyche.config.Optimizer;
import psyche.train.LlamaConfig;
import psyche.train.TorchRuntime;

import java.util.Optional;

/** Manual probe: per-step split (forward/backward, compress, apply) of one DisTrO client on llama2-20m. */
public final class StepProbe {
    public static void main(String[] args) {
        int steps = Integer.parseInt(args[0]), threads = Integer.parseInt(args[1]), batch = Integer.parseInt(args[2]);
        TorchRuntime.noGradOnThisThread();
        TorchRuntime.setThreads(threads);
        Optimizer.Distro d = new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 8, 64, true);
        try (TrainingBench.Stepper s = new TrainingBench.Stepper(LlamaConfig.llama2_20m(), d, batch, 512)) {
            for (int i = 0; i < steps; i++) {
                TrainingBench.StepTimes st = s.run(1);
                double[] t = st.rounds.get(0)[0];
                System.out.printf("step %d: forward/backward %.3f s, compress %.3f s, apply %.3f s, process CPU %.3f s%n",
                        i, t[0], t[1], t[2], st.cpu);
            }
        }
    }
}
