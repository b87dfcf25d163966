package psyche.train;

import java.nio.file.Path;

/** Manual probe: prints a multi-client DisTrO loss curve on datasets/tiny. */
public final class TrainingSmoke {
    public static void main(String[] args) {
        int clients = Integer.parseInt(args.length > 0 ? args[0] : "3");
        int steps = Integer.parseInt(args.length > 1 ? args[1] : "60");
        Path data = Path.of(args.length > 2 ? args[2] : "../datasets/tiny");
        double lr = Double.parseDouble(args.length > 3 ? args[3] : "4e-3");
        int topk = Integer.parseInt(args.length > 4 ? args[4] : "8");
        var cfg = TinyRun.config(data.resolve("train.bin"), steps,
                new psyche.config.Optimizer.Distro(java.util.Optional.of(1.0f), java.util.Optional.empty(), 0.999f, topk, 64, true),
                new psyche.config.LrSchedule.Cosine(lr, 0.0, lr / 10, 10, steps));
        try (Training t = Training.builder().setConfig(cfg).optClients(clients)
                .optDataset(data.resolve("train.bin")).optListener(r -> System.out.println(r)).build()) {
            t.run();
        }
    }
}
