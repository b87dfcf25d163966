package psyche.charts;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import psyche.coordinator.Client;
import psyche.coordinator.ClientState;
import psyche.coordinator.RunState;
import psyche.frames.TreasuryFigures;
import psyche.history.History;
import psyche.history.HistoryStore;
import psyche.testing.RunFixtures;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static psyche.testing.RunFixtures.node;

class RunCharts_HistoryChartsTest {
    static final List<Client> HEALTHY = List.of(Client.healthy(node(1)), Client.healthy(node(2)));

    /** Two epochs: epoch 1 rounds 0-1 (client 2 drops at round 1), cooldown; epoch 2 round 0; points after epoch 1. */
    static History scenario() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            long t = 0;
            store.record(RunFixtures.at(RunState.WaitingForMembers, 1, 1, 0, List.of(), new long[4]), Instant.ofEpochSecond(t += 60));
            store.record(RunFixtures.at(RunState.RoundTrain, 1, 1, 0, HEALTHY, new long[4]), Instant.ofEpochSecond(t += 60));
            store.record(RunFixtures.at(RunState.RoundTrain, 1, 2, 1,
                    List.of(Client.healthy(node(1)), new Client(node(2), ClientState.Dropped, 0)), new long[4]), Instant.ofEpochSecond(t += 60));
            store.record(RunFixtures.at(RunState.Cooldown, 1, 3, 1,
                    List.of(Client.healthy(node(1)), new Client(node(2), ClientState.Dropped, 0)), new long[4]), Instant.ofEpochSecond(t += 60));
            store.record(RunFixtures.at(RunState.WaitingForMembers, 2, 3, 1, HEALTHY, new long[]{600, 0, 0, 0}), Instant.ofEpochSecond(t += 60));
            store.record(RunFixtures.at(RunState.RoundTrain, 2, 4, 0, HEALTHY, new long[]{600, 0, 0, 0}), Instant.ofEpochSecond(t += 60));
            store.recordTreasury("tiny-run", new TreasuryFigures(3000, 0, 0, 600), Instant.ofEpochSecond(60));
            store.recordTreasury("tiny-run", new TreasuryFigures(3000, 600, 0, 600), Instant.ofEpochSecond(300));
            return store.history("tiny-run");
        }
    }

    @Test
    void rewardsChartHasOneVisibleSeriesPerDistinctEarningAndNamesEveryClient() {
        XYChart chart = RunCharts.rewards(scenario());
        // clients 2-4 earned the same (nothing): one line named after the three, not three lines drawn on top of each other
        assertEquals(2, chart.getSeriesMap().size(), chart.getSeriesMap().keySet().toString());
        String same = node(2).shortId() + ", " + node(3).shortId() + ", " + node(4).shortId() + " (3 clients identical)";
        assertTrue(chart.getSeriesMap().containsKey(same), chart.getSeriesMap().keySet().toString());
        var c1 = chart.getSeriesMap().get(node(1).shortId());
        assertArrayEquals(new double[]{1, 2}, c1.getXData());
        assertArrayEquals(new double[]{0, 600}, c1.getYData());
        // both lines start at 0 in epoch 1: the second is shifted so its first marker shows
        assertArrayEquals(new double[]{1.06}, chart.getSeriesMap().get(same).getXData(), 1e-9);
        assertEquals("epoch (overlapping lines shifted right a little)", chart.getXAxisTitle());
        assertEquals("points earned (cumulative)", chart.getYAxisTitle());
    }

    @Test
    void partlyOverlappingLines_areShiftedSoEveryLegendEntryShows() {
        // 00-hello-psyche's simulation: one client earns like four others for two epochs, then like a fifth; drawn
        // unshifted, its line and markers lay entirely under the others
        try (var store = psyche.history.HistoryStore.inMemory()) {
            psyche.sim.Simulation.builder().setConfig(psyche.config.RunConfigs.read(java.nio.file.Path.of("../notebooks/configs/tiny.toml")))
                    .setClients(6).optEpochs(3).optDropRate(0.15).optSeed(3).optEarningRate(6_000)
                    .optObserver(store::record).build().run();
            XYChart chart = RunCharts.rewards(store.history("sim"));
            java.util.Set<String> drawn = new java.util.HashSet<>();
            for (var series : chart.getSeriesMap().values()) {
                for (int i = 0; i < series.getXData().length; i++) {
                    String point = series.getXData()[i] + "/" + series.getYData()[i];
                    assertTrue(drawn.add(point), series.getName() + " hides under another series at " + point);
                }
            }
            assertTrue(chart.getSeriesMap().size() >= 3, chart.getSeriesMap().keySet().toString());
            assertEquals("epoch (overlapping lines shifted right a little)", chart.getXAxisTitle());
        }
    }

    @Test
    void rewardsChartInTokensReadsLikeTheTables() {
        XYChart chart = RunCharts.rewards(scenario(), psyche.display.TokenUnits.ofMint(2));
        assertArrayEquals(new double[]{0, 6}, chart.getSeriesMap().get(node(1).shortId()).getYData(), "600 native units at 2 decimals");
        assertEquals("tokens earned (cumulative)", chart.getYAxisTitle());
    }

    @Test
    void healthChartPlacesEachStateAtItsRoundAndClient() {
        XYChart chart = RunCharts.clientHealth(scenario());
        assertTrue(chart.getSeriesMap().containsKey("Healthy"));
        var dropped = chart.getSeriesMap().get("Dropped");
        assertArrayEquals(new double[]{1}, dropped.getXData(), "round 1/1 is the second round seen");
        assertArrayEquals(new double[]{1}, dropped.getYData(), "client 2 is the second client seen");
        assertEquals("client", chart.getYAxisTitle());
    }

    @Test
    void stateTimelineHasABandPerStateVisited() {
        History h = scenario();
        XYChart chart = RunCharts.stateTimeline(h, Instant.ofEpochSecond(420));
        assertEquals(3, chart.getSeriesMap().size(), "Waiting, Training, Cooldown");
        var waiting = chart.getSeriesMap().get("Waiting for members");
        // two separate stays: [0,1] and [4,5] minutes, separated by a NaN gap
        assertEquals(5, waiting.getXData().length);
        assertEquals(0.0, waiting.getXData()[0]);
        assertTrue(Double.isNaN(waiting.getXData()[2]));
        assertEquals(5.0, waiting.getXData()[4]);
        assertEquals("state", chart.getYAxisTitle());
    }

    @Test
    void stepProgressProjectsToTotalSteps() {
        XYChart chart = RunCharts.stepProgress(scenario(), 200);
        assertTrue(chart.getTitle().contains("ETA"), chart.getTitle());
        var projection = chart.getSeriesMap().get("projection at recent pace");
        assertEquals(200.0, projection.getYData()[1]);
        assertEquals("step", chart.getYAxisTitle());
    }

    @Test
    void treasuryChartShowsRunway() {
        XYChart chart = RunCharts.treasury(scenario());
        assertTrue(chart.getTitle().contains("runway 4.0 epochs"), chart.getTitle());
        assertArrayEquals(new double[]{0, 600}, chart.getSeriesMap().get("claimable, not yet claimed").getYData());
        XYChart tokens = RunCharts.treasury(scenario(), psyche.display.TokenUnits.ofMint(2));
        assertArrayEquals(new double[]{0, 6}, tokens.getSeriesMap().get("claimable, not yet claimed").getYData());
        assertEquals("collateral (tokens)", tokens.getYAxisTitle());
    }

    @Test
    void emptyHistorySaysWhyThereIsNoChart() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            var e = assertThrows(IllegalStateException.class, () -> RunCharts.treasury(store.history("nope")));
            assertTrue(e.getMessage().contains("treasurer run"), e.getMessage());
        }
    }
}
