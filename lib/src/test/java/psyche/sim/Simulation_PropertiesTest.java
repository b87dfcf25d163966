package psyche.sim;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class Simulation_PropertiesTest {
    @Provide Arbitrary<List<Behaviour>> behaviours() {
        Arbitrary<Behaviour> one = Arbitraries.oneOf(
                Arbitraries.just(Behaviour.reliable()),
                Arbitraries.doubles().between(0, 1).map(Behaviour::slow),
                Arbitraries.longs().between(0, 300).map(Behaviour::dropsAt),
                Arbitraries.longs().between(0, 300).map(Behaviour::joinsLate),
                Arbitraries.longs().between(0, 200).flatMap(d -> Arbitraries.longs().between(d, 400).map(b -> Behaviour.rejoins(d, b))),
                Arbitraries.just(Behaviour.neverWitnesses()));
        return one.list().ofMaxSize(5);
    }

    @Property(tries = 25)
    void timelinesAreConsistentAndReproducible(@ForAll("behaviours") List<Behaviour> behaviours,
                                                @ForAll @IntRange(min = 1, max = 10) int extraClients,
                                                @ForAll @DoubleRange(min = 0, max = 0.5) double dropRate,
                                                @ForAll long seed) {
        int clients = behaviours.size() + extraClients;
        Simulation sim = Simulation.builder().setConfig(Simulation_RunTest.solanaTest()).setClients(clients)
                .optBehaviours(behaviours).optDropRate(dropRate).optSeed(seed).optEpochs(2).optEarningRate(999).build();
        SimulationResult r = sim.run();
        assertEquals(r.toJson(), sim.run().toJson(), "same seed, same timeline");
        long lastStep = 1;
        for (TimelineEvent e : r.timeline().events()) {
            if (e instanceof TimelineEvent.StateChange sc) {
                assertTrue(sc.step() >= lastStep, "step never decreases");
                lastStep = sc.step();
            }
            if (e instanceof TimelineEvent.EpochEnded ee) {
                assertTrue(ee.burned() <= 999, "rewards per epoch ≤ earning rate");
                assertTrue(ee.clients() <= 256);
            }
            if (e instanceof TimelineEvent.RoundStarted rs) assertTrue(rs.clients() <= clients);
        }
        long sum = r.summary().earnedPerClient().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(sum <= 999L * r.summary().epochsCompleted());
    }
}
