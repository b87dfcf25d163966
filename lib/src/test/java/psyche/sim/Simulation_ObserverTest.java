package psyche.sim;

import org.junit.jupiter.api.Test;
import psyche.charts.RunCharts;
import psyche.config.RunConfigs;
import psyche.history.History;
import psyche.history.HistoryStore;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Simulation_ObserverTest {
    @Test
    void aSimulatedRunCanBeRecordedAndCharted() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            SimulationResult result = Simulation.builder()
                    .setConfig(RunConfigs.read(Path.of("../notebooks/configs/tiny.toml")))
                    .setClients(3).optEpochs(2).optSeed(7).optEarningRate(900)
                    .optObserver(store::record)
                    .build().run();
            History h = store.history("sim");
            assertTrue(h.states().rowCount() > 10, "states recorded: " + h.states().rowCount());
            assertTrue(h.rounds().rowCount() >= 2, "rounds recorded: " + h.rounds().rowCount());
            // 2 epochs at 900 points shared by 3 healthy clients: 600 each at the end
            var rewards = h.rewards();
            long last = rewards.longColumn("earned").get(rewards.rowCount() - 1);
            assertEquals(600L, last);
            // the 3 clients earned the same: one visible line that names all three (RunCharts merges identical series)
            var series = RunCharts.rewards(h).getSeriesMap();
            assertEquals(1, series.size(), series.keySet()::toString);
            assertTrue(series.keySet().iterator().next().endsWith("(3 clients identical)"), series.keySet()::toString);
            assertTrue(result.timeline().events().size() > 0);
        }
    }
}
