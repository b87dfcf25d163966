package psyche.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static psyche.coordinator.Fixtures.id;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The client policy shared by the simulator and the chain clients: what is due, from the state alone. */
class ClientPolicy_DecideTest {
    @Test void reportsExactlyTheClientTheWitnessesDidNotHear() {
        CoordinatorState s = Coordinator_HealthCheckTest.roundsWithout(id(2), 5);
        CommitteeSelection prev = Coordinator.selection(s, Coordinator.previousRound(s));
        assertEquals(List.of(new HealthCheck(id(2), prev.committeeProof(2))), ClientPolicy.healthChecks(s));
        // what the policy finds due, the program accepts: sending it drops the client, and then nothing is due
        HealthCheckResult r = Coordinator.healthCheck(s, id(0), ClientPolicy.healthChecks(s));
        assertEquals(1, r.dropped());
        assertEquals(List.of(), ClientPolicy.healthChecks(r.state()));
    }

    @Test void nothingIsDueBeforeRoundTwoOrWhileHalted() {
        assertEquals(List.of(), ClientPolicy.healthChecks(Coordinator_TickTest.training(3)));
        assertEquals(List.of(), ClientPolicy.healthChecks(CoordinatorState.uninitialized("x")));
    }

    @Test void witnessDutyIsTheRoundsWitnessProof() {
        CoordinatorState s = Coordinator_TickTest.training(5);
        Round round = Coordinator.currentRound(s);
        CommitteeSelection sel = Coordinator.selection(s, round);
        int witnesses = 0;
        for (int i = 0; i < 5; i++) {
            WitnessProof proof = sel.witnessProof(i);
            assertEquals(proof.witness() ? java.util.Optional.of(proof) : java.util.Optional.empty(),
                    ClientPolicy.witnessDuty(s, id(i)), "client " + i);
            if (proof.witness()) witnesses++;
        }
        assertTrue(witnesses >= 1);
        assertTrue(ClientPolicy.witnessDuty(s, id(99)).isEmpty(), "not an epoch client");
        assertTrue(ClientPolicy.witnessDuty(CoordinatorState.uninitialized("x"), id(0)).isEmpty());
    }
}
