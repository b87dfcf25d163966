package psyche.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import psyche.config.RunConfigs;
import psyche.sim.Simulation;
import psyche.sim.SimulationResult;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code simulate}: what-if simulation of a run config on virtual time. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate a run config with N clients on virtual time: epoch length, steps, churn, rewards, treasury runway.")
public final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--config-path", required = true, description = "run config TOML ([config] and [model.LLM])")
    Path configPath;

    @Option(names = "--clients", required = true, description = "number of simulated clients (1..256)")
    int clients;

    @Option(names = "--epochs", description = "stop after this many epochs (default 3 when no --duration)")
    Integer epochs;

    @Option(names = "--duration", description = "stop after this many virtual seconds")
    Long duration;

    @Option(names = "--drop-rate", defaultValue = "0", description = "per-epoch probability that a client drops out mid-epoch")
    double dropRate;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (same seed, same timeline)")
    long seed;

    @Option(names = "--earning-rate", defaultValue = "1000000", description = "earning_rate_total_shared, points per epoch")
    long earningRate;

    @Option(names = "--treasury", defaultValue = "100000000", description = "treasury balance in points for the runway estimate")
    long treasury;

    @Option(names = "--json", description = "print the timeline and summary as JSON")
    boolean json;

    @Override public Integer call() {
        Simulation.Builder b = Simulation.builder()
                .setConfig(RunConfigs.read(configPath))
                .setClients(clients)
                .optDropRate(dropRate)
                .optSeed(seed)
                .optEarningRate(earningRate)
                .optTreasury(treasury);
        if (epochs != null) b.optEpochs(epochs);
        if (duration != null) b.optDuration(duration);
        SimulationResult r = b.build().run();
        System.out.print(json ? r.toJson() + "\n" : r.summary().toText());
        return 0;
    }
}
