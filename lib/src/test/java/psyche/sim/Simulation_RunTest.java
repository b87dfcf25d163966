package psyche.sim;

import psyche.config.RunConfigs;

import org.junit.jupiter.api.Test;
import psyche.config.CoordinatorConfig;
import psyche.config.RunConfig;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class Simulation_RunTest {
    static RunConfig solanaTest() {
        return RunConfigs.parse(ReplayScenario.resource("/psyche/sim/solana-test-config.toml"));
    }

    static RunConfig withConfig(CoordinatorConfig c) { return new RunConfig(c, solanaTest().model()); }

    private static Simulation.Builder base(int clients) {
        return Simulation.builder().setConfig(solanaTest()).setClients(clients).optSeed(3);
    }

    @Test void reliableClientsShareRewardsEqually() {
        SimulationResult r = base(4).optEpochs(2).optEarningRate(1000).optTreasury(5000).build().run();
        SimulationSummary s = r.summary();
        assertEquals(2, s.epochsCompleted());
        assertEquals(2, r.timeline().epochs().size());
        for (long e : s.earnedPerClient().values()) assertEquals(500, e); // 2 × 1000/4
        assertEquals(1000.0, s.meanBurnPerEpoch());
        assertEquals(5, s.runwayEpochs());
        assertNull(s.baselineStepsPerEpoch());
        assertTrue(s.meanStepsPerEpoch() >= 4, "epochs of 60 s with ≤ 13 s rounds make ≥ 4 steps");
        assertEquals(s.runwayEpochs() * s.meanEpochWallSeconds(), s.runwaySeconds(), 1e-9);
        TimelineEvent.EpochEnded first = r.timeline().epochs().get(0);
        assertTrue(first.success());
        assertEquals(1000, first.burned());
        assertEquals(4000, first.treasuryLeft());
    }

    @Test void clientsAreNamedByTheirKeyPrefix_asInTablesAndCharts() {
        Simulation sim = base(3).optEpochs(1).build();
        SimulationResult r = sim.run();
        List<String> names = List.of(sim.clientName(0), sim.clientName(1), sim.clientName(2));
        names.forEach(n -> assertTrue(n.matches("[0-9a-f]{8}"), n));
        assertEquals(names, List.copyOf(r.summary().earnedPerClient().keySet()));
        assertTrue(r.timeline().of(TimelineEvent.Joined.class).stream().allMatch(j -> names.contains(j.client())));
        assertFalse(r.summary().toString().contains("c000"), r.summary().toString());
        String text = r.summary().toText();
        assertFalse(text.matches("(?s).*\\b\\d{5,}\\b.*"), "numbers for people (grouped digits):\n" + text);
    }

    @Test void droppingClientIsHealthCheckedAndEarnsLess() {
        Simulation sim = base(4).optBehaviours(List.of(Behaviour.dropsAt(30))).optEpochs(2).optEarningRate(1200).build();
        SimulationResult r = sim.run();
        assertEquals(1, r.timeline().of(TimelineEvent.WentOffline.class).size());
        assertTrue(r.timeline().of(TimelineEvent.Dropped.class).stream().anyMatch(d -> d.client().equals(sim.clientName(0))));
        assertTrue(r.summary().earnedPerClient().get(sim.clientName(0)) < r.summary().earnedPerClient().get(sim.clientName(1)));
        assertNotNull(r.summary().progressVsBaseline());
    }

    @Test void lateJoinerWaitsForTheNextEpoch() {
        Simulation sim = base(3).optBehaviours(List.of(Behaviour.joinsLate(20))).optEpochs(2).build();
        SimulationResult r = sim.run();
        var joins = r.timeline().of(TimelineEvent.Joined.class).stream().filter(j -> j.client().equals(sim.clientName(0))).toList();
        assertFalse(joins.isEmpty());
        assertTrue(joins.get(0).t() >= 20);
        assertEquals(2, r.timeline().epochs().get(0).clients());
        assertEquals(3, r.timeline().epochs().get(1).clients());
    }

    @Test void rejoinerComesBack() {
        Simulation sim = base(3).optBehaviours(List.of(Behaviour.rejoins(20, 140))).optEpochs(3).build();
        SimulationResult r = sim.run();
        long joins = r.timeline().of(TimelineEvent.Joined.class).stream().filter(j -> j.client().equals(sim.clientName(0))).count();
        assertTrue(joins >= 2);
        assertTrue(r.timeline().of(TimelineEvent.Joined.class).stream().anyMatch(j -> j.client().equals(sim.clientName(0)) && j.t() >= 140));
    }

    @Test void slowClientsMissRoundsAndGetDropped() {
        Simulation sim = base(4).optBehaviours(List.of(Behaviour.slow(1.0))).optEpochs(1).build();
        SimulationResult r = sim.run();
        assertTrue(r.timeline().of(TimelineEvent.Dropped.class).stream().anyMatch(d -> d.client().equals(sim.clientName(0))));
    }

    @Test void silentWitnessesStillLetTheRunProgressWithOthers() {
        SimulationResult r = base(3).optBehaviours(List.of(Behaviour.neverWitnesses())).optEpochs(1).build().run();
        assertTrue(r.summary().stepsCompleted() > 0);
        SimulationResult all = base(2).optBehaviours(List.of(Behaviour.neverWitnesses(), Behaviour.neverWitnesses()))
                .optEpochs(1).build().run();
        // no witnesses at all: first round ends in Cooldown with everyone withdrawn, nobody earns
        assertEquals(1, all.summary().stepsCompleted());
        assertTrue(all.summary().earnedPerClient().values().stream().allMatch(v -> v == 0));
    }

    @Test void durationBoundsTheRun() {
        SimulationResult r = base(2).optDuration(50).build().run();
        assertEquals(50, r.summary().simulatedSeconds());
        assertEquals(0, r.summary().epochsCompleted());
    }

    @Test void runReachesFinished() {
        CoordinatorConfig c = solanaTest().config();
        CoordinatorConfig shortRun = new CoordinatorConfig(c.warmupTime(), c.cooldownTime(), c.maxRoundTrainTime(),
                c.roundWitnessTime(), 0, c.epochTime(), 6, 1, 1, 0, 8, 8, 0, 3);
        SimulationResult r = Simulation.builder().setConfig(withConfig(shortRun)).setClients(2).optEpochs(10).build().run();
        assertEquals("Finished", r.summary().finalState());
        assertEquals(5, r.summary().stepsCompleted());
    }

    @Test void builderValidates() {
        assertThrows(IllegalStateException.class, () -> Simulation.builder().setClients(2).build());
        assertThrows(IllegalArgumentException.class, () -> base(0).build());
        assertThrows(IllegalArgumentException.class, () -> base(257).build());
        assertThrows(IllegalArgumentException.class, () -> base(1).optBehaviours(List.of(Behaviour.reliable(), Behaviour.reliable())).build());
        assertThrows(IllegalArgumentException.class, () -> base(2).optDropRate(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> Behaviour.slow(2));
        assertThrows(IllegalArgumentException.class, () -> Behaviour.rejoins(10, 5));
    }

    @Test void moreClientsThanBatchesAreRefused() {
        CoordinatorConfig c = solanaTest().config();
        CoordinatorConfig small = new CoordinatorConfig(c.warmupTime(), c.cooldownTime(), c.maxRoundTrainTime(),
                c.roundWitnessTime(), 0, c.epochTime(), 100, 1, 1, 0, 2, 2, 0, 3);
        SimulationResult r = Simulation.builder().setConfig(withConfig(small)).setClients(3).optEpochs(1).build().run();
        assertEquals(List.of("MoreClientsThanBatches"),
                r.timeline().of(TimelineEvent.JoinRefused.class).stream().map(TimelineEvent.JoinRefused::reason).toList());
        assertTrue(r.summary().toText().contains("epochs"));
    }
}
