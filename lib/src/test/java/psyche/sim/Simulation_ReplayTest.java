package psyche.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class Simulation_ReplayTest {
    @Test void recordedScenarioReplaysByteIdentically() {
        String expected = ReplayScenario.resource(ReplayScenario.EXPECTED);
        String actual = ReplayScenario.run().toJson();
        assertEquals(expected, actual);
    }

    @Test void recordedScenarioExercisesEveryBehaviour() {
        SimulationResult r = ReplayScenario.run();
        Timeline t = r.timeline();
        assertEquals(3, r.summary().epochsCompleted());
        assertFalse(t.of(TimelineEvent.WentOffline.class).isEmpty());
        assertFalse(t.of(TimelineEvent.Dropped.class).isEmpty());
        assertTrue(t.of(TimelineEvent.Joined.class).stream().anyMatch(j -> j.client().equals(ReplayScenario.simulation().clientName(2)) && j.t() >= 70));
        assertNotNull(r.summary().baselineStepsPerEpoch());
    }
}
