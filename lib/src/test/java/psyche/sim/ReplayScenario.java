package psyche.sim;

import psyche.config.RunConfigs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The recorded scenario of {@link Simulation_ReplayTest}: the solana-test config, 6 clients with every behaviour,
 * churn 0.1, seed 42, 3 epochs. {@link #main} re-records the expected JSON (only when the engine is meant to change).
 */
final class ReplayScenario {
    private ReplayScenario() {}

    static final String EXPECTED = "/psyche/sim/replay-timeline.json";

    static SimulationResult run() {
        return simulation().run();
    }

    static Simulation simulation() {
        return Simulation.builder()
                .setConfig(RunConfigs.parse(resource("/psyche/sim/solana-test-config.toml")))
                .setClients(6)
                .optBehaviours(List.of(Behaviour.slow(0.5), Behaviour.dropsAt(100), Behaviour.joinsLate(70),
                        Behaviour.rejoins(40, 150), Behaviour.neverWitnesses()))
                .optDropRate(0.1)
                .optSeed(42)
                .optEpochs(3)
                .optEarningRate(600_001)
                .optTreasury(10_000_000)
                .build();
    }

    static String resource(String name) {
        try (var in = ReplayScenario.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("test resource " + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the expected timeline: {@code java -cp … psyche.sim.ReplayScenario lib/src/test/resources/psyche/sim/replay-timeline.json}. */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), run().toJson(), StandardCharsets.UTF_8);
    }
}
