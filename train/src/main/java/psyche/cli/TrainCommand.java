package psyche.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.train.StepReport;
import psyche.train.TinyRun;
import psyche.train.Training;
import psyche.train.TrainingException;
import psyche.train.TrainingListener;
import psyche.train.chain.ChainTraining;
import psyche.ops.Cluster;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code run-manager train}: a headless training session printing the loss per step: in-process, or with
 * {@code --rpc} as N clients that join the existing run {@code --run-id} on a chain.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train with N clients (DisTrO, DJL PyTorch), printing loss per step.",
                "Without --rpc: in-process rounds. With --rpc: the clients join run --run-id on that chain (each its own "
                        + "airdropped keypair) and follow its coordinator."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config-path", description = "run config TOML ([config] and [model.LLM]); default: the tiny run")
    Path configPath;

    @Option(names = "--model", defaultValue = "tiny", description = "without --config-path: tiny (158k parameters, datasets/tiny, "
            + "sequences of 64) or llama2-20m (22.8M, Psyche's llama2-20m shape, datasets/pd, sequences of 512) (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--clients", defaultValue = "1", description = "number of in-process clients (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--steps", defaultValue = "0", description = "last step to train (default: total_steps of the config); with --rpc: rounds to train, then stop once their results are applied (0 = until the run finishes)")
    long steps;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--checkpoint-dir", defaultValue = "checkpoints",
            description = "where {run_id}-step{N} checkpoints go (default ${DEFAULT-VALUE}); a divergence keeps the last finite state here")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "also checkpoint every N steps")
    long checkpointEvery;

    @Option(names = "--dataset", description = "u16 token file or directory, instead of the config's data location")
    Path dataset;

    @Option(names = "--run-id", defaultValue = "run", description = "names the checkpoints; with --rpc: the run to join (default ${DEFAULT-VALUE})")
    String runId;

    @Option(names = "--resume", description = "checkpoint directory to continue from")
    Path resume;

    @Option(names = "--history", paramLabel = "FILE", description = "record loss per client, LR, tokens/s, result bytes and "
            + "held-out loss at checkpoints into this SQLite history store (the run's history file)")
    Path history;

    @Option(names = "--session", description = "with --history: names this session among the run's (default: the start time)")
    String session;

    @Option(names = "--max-shard-size", paramLabel = "BYTES", defaultValue = "0",
            description = "write checkpoints in safetensors shards of at most BYTES with model.safetensors.index.json (0 = one file)")
    long maxShardBytes;

    @Option(names = "--lr-scale", defaultValue = "1", description = "multiply the schedule's learning rates, e.g. 0.5 after a divergence (default ${DEFAULT-VALUE})")
    double lrScale;

    @Option(names = "--rpc", description = "join the run --run-id on this chain (URL or moniker) instead of training in-process")
    String rpc;

    @Option(names = "--serve-results", paramLabel = "PORT", defaultValue = "0",
            description = "with --rpc: serve this session's results to other sessions on PORT (default ${DEFAULT-VALUE} = any "
                    + "free port; -1 = do not serve, which also turns discovery off)")
    int serveResults;

    @Option(names = "--serve-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "with --rpc: address the results server binds (default ${DEFAULT-VALUE}; 0.0.0.0 lets sessions on "
                    + "other machines fetch with --peer http://THIS-HOST:PORT)")
    String serveHost;

    @Option(names = "--peer", paramLabel = "URL", description = "with --rpc: another session's results URL, e.g. on another "
            + "machine (repeatable; one is enough: its GET /peers names the others)")
    java.util.List<java.net.URI> peers = new java.util.ArrayList<>();

    @Option(names = "--peers-dir", paramLabel = "DIR", description = "with --rpc: rendezvous directory where sessions of a run "
            + "on this machine find each other (default: ~/.local/share/psyche/peers, or $XDG_DATA_HOME/psyche/peers)")
    Path peersDir;

    @Option(names = "--no-peer-discovery", description = "with --rpc: neither register in nor read the peers directory")
    boolean noPeerDiscovery;

    @Option(names = "--time-limit", defaultValue = "86400", description = "with --rpc: end after this many seconds (default ${DEFAULT-VALUE})")
    long timeLimitSeconds;

    @Override public Integer call() {
        if (rpc != null) return joinRun();
        boolean big = switch (model) {
            case "tiny" -> false;
            case "llama2-20m" -> true;
            default -> throw new TrainingException("--model " + model + " is not a preset: use tiny or llama2-20m");
        };
        Path data = dataset != null ? dataset : configPath == null ? Path.of(big ? "datasets/pd/train.bin" : "datasets/tiny/train.bin") : null;
        long total = steps > 0 ? steps : 100;
        RunConfig config = configPath != null ? RunConfigs.read(configPath)
                : big ? TinyRun.llama2_20m(data, total) : TinyRun.config(data, total);
        Training.Builder b = resume != null ? Training.resumeFrom(resume) : Training.builder();
        b.setConfig(config).optClients(clients).optDevice(device).optSteps(steps).optRunId(runId)
                .optCheckpointEvery(checkpointEvery).optLrScale(lrScale)
                .optMaxShardBytes(maxShardBytes);
        if (data != null) b.optDataset(data);
        if (big && resume == null) b.optModel(psyche.train.LlamaConfig.llama2_20m());
        if (checkpointDir != null) b.optCheckpointDir(checkpointDir);
        b.optListener(new TrainingListener() {
            @Override public void onStep(StepReport r) { System.out.println(r); }

            @Override public void onCheckpoint(long step, Path dir) { System.out.println("checkpoint " + dir); }

            @Override public void onEvaluation(long step, String split, double loss, long tokens, Path dir) {
                System.out.printf("held-out loss at step %d: %.4f (%s, %,d tokens)%n", step, loss, split, tokens);
            }
        });
        psyche.history.HistoryStore store = history != null ? psyche.history.HistoryStore.open(history) : null;
        if (store != null) {
            String label = session != null ? session : java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            b.optListener(new psyche.train.TrainingHistory(store, runId, label));
        }
        try (store; Training t = b.build()) {
            if (store != null) System.out.println("recording metrics into " + history);
            System.out.println("training " + t.modelConfig().parameterCount() + " parameters, " + clients
                    + " client(s), " + t.data().numSequences() + " sequences in " + t.data().describe());
            t.run();
        }
        return 0;
    }

    private TrainingListener printer() {
        return new TrainingListener() {
            @Override public void onStep(StepReport r) { System.out.println(r); }

            @Override public void onCheckpoint(long step, Path dir) { System.out.println("checkpoint " + dir); }
        };
    }

    private int joinRun() {
        if (configPath != null) throw new TrainingException("--config-path is for in-process training: a run on a chain "
                + "has its config on chain (set it with update-config)");
        try (Cluster cluster = Cluster.connect(rpc)) {
            ChainTraining.Builder b = ChainTraining.builder().setRpc(cluster.rpc(), runId).optClients(clients)
                    .optDevice(device).optSteps(steps).optListener(printer())
                    .optTimeLimit(java.time.Duration.ofSeconds(timeLimitSeconds));
            if (dataset != null) b.optDataset(dataset);
            if (checkpointDir != null) b.optCheckpointDir(checkpointDir);
            if (resume != null) b.optResumeFrom(resume);
            b.optLrScale(lrScale);
            if (serveResults >= 0) b.optServeResults(serveResults).optServeHost(serveHost);
            if (peersDir != null) b.optPeersDir(peersDir);
            b.optPeerDiscovery(!noPeerDiscovery);
            peers.forEach(b::optPeer);
            try (ChainTraining t = b.build()) {
                t.resultsUrl().ifPresent(u -> System.out.println("serving results at " + u
                        + t.peersDirectory().map(d -> " (registered in " + d + ")").orElse("")));
                System.out.println("joining run " + runId + " on " + rpc + " with " + clients + " client(s): "
                        + t.modelConfig().parameterCount() + " parameters, " + t.data().numSequences() + " sequences in "
                        + t.data().describe());
                Thread hook = new Thread(t::stop, "psyche-train-stop");
                Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C ends the session keeping the last checkpoint
                t.start();
                t.await(java.time.Duration.ofSeconds(timeLimitSeconds + 60));
                System.out.println("results applied per step " + t.consensusSizes() + ", peers " + t.peers());
                t.lastCheckpoint().ifPresent(p -> System.out.println("last checkpoint " + p));
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // already exiting through the hook
                }
            }
        }
        return 0;
    }
}
