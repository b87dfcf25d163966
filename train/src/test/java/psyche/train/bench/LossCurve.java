package psyche.train.bench;

import psyche.train.TinyRun;
import psyche.train.Training;

import java.nio.file.Path;

/** Program: prints a multi-client DisTrO loss curve on datasets/tiny. Args: clients steps dataset-dir peak-lr topk. */
public final class LossCurve {
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
            int[][] held;
            try (var valid = psyche.train.data.TokenDataProvider.open(
                    new psyche.config.DataLocation.Local(data.resolve("valid.bin").toString()), 64)) {
                held = valid.samples(new psyche.coordinator.BatchId(0, 63));
            }
            psyche.train.TorchRuntime.noGradOnThisThread();
            float before;
            try (var init = psyche.train.LlamaModel.create(t.modelConfig(), ai.djl.Device.cpu(), 42)) {
                before = init.evalLoss(held);
            }
            long t0 = System.nanoTime();
            t.run();
            System.out.printf("held-out loss (64 x 64 tokens of valid.bin): %.4f -> %.4f after %d steps, %d clients, %.0f s%n",
                    before, t.evalLoss(held), steps, clients, (System.nanoTime() - t0) / 1e9);
        }
    }
}
