package psyche.train;

import java.nio.file.Path;

/** Manual probe: prints a multi-client DisTrO loss curve on datasets/tiny. */
public final class TrainingSmoke {
    public static void main(String[] args) {
        int clients = Integer.parseInt(args.length > 0 ? args[0] : "3");
        int steps = Integer.parseInt(args.length > 1 ? args[1] : "60");
        Path data = Path.of(args.length > 2 ? args[2] : "../datasets/tiny");
        try (Training t = Training.builder().setConfig(TinyRun.config(data.resolve("train.bin"), steps)).optClients(clients)
                .optDataset(data.resolve("train.bin")).optListener(r -> System.out.println(r)).build()) {
            t.run();
        }
    }
}
