package psyche.coordinator;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static psyche.coordinator.Fixtures.*;

class Coordinator_HealthCheckTest {
    /** Runs rounds where every witness sees everyone except {@code missing}; returns the state at height ≥ 2. */
    static CoordinatorState roundsWithout(NodeIdentity missing, int n) {
        CoordinatorState s = Coordinator_TickTest.training(n);
        long now = T0 + 13;
        while (Coordinator.currentRound(s).height() < 2) {
            Round round = Coordinator.currentRound(s);
            CommitteeSelection sel = Coordinator.selection(s, round);
            List<NodeIdentity> seen = new ArrayList<>(ids(n));
            seen.remove(missing);
            now++;
            for (int i = 0; i < n; i++) {
                WitnessProof p = sel.witnessProof(i);
                if (p.witness() && !id(i).equals(missing)) s = Coordinator.witness(s, id(i), witness(p, seen), now);
            }
            now += 7;
            s = Coordinator.tick(s, null, now, now).state();
            if (s.runState() == RunState.RoundWitness) s = Coordinator.tick(s, null, ++now, now).state();
        }
        return s;
    }

    @Test void tooEarlyIsInvalid() {
        CoordinatorState t = Coordinator_TickTest.training(3);
        CommitteeProof p = Coordinator.selection(t, Coordinator.currentRound(t)).committeeProof(0);
        assertEquals(CoordinatorError.InvalidHealthCheck, assertThrows(CoordinatorException.class,
                () -> Coordinator.healthCheck(t, id(1), List.of(new HealthCheck(id(0), p)))).error());
        assertEquals(CoordinatorError.Halted, assertThrows(CoordinatorException.class,
                () -> Coordinator.healthCheck(CoordinatorState.uninitialized("x"), id(1), List.of())).error());
    }

    @Test void unhealthyClientIsDroppedAndHealthyBatchRejected() {
        CoordinatorState s = roundsWithout(id(2), 5);
        assertTrue(Coordinator.currentRound(s).height() >= 2);
        Round prev = Coordinator.previousRound(s);
        CommitteeSelection sel = Coordinator.selection(s, prev);
        HealthCheck bad = new HealthCheck(id(2), sel.committeeProof(2));
        HealthCheck good = new HealthCheck(id(1), sel.committeeProof(1));
        assertFalse(Coordinator.healthy(s, id(2), sel.committeeProof(2)));
        assertTrue(Coordinator.healthy(s, id(1), sel.committeeProof(1)));
        // issue #196: one healthy entry rejects the whole batch
        CoordinatorState st = s;
        assertEquals(CoordinatorError.InvalidHealthCheck, assertThrows(CoordinatorException.class,
                () -> Coordinator.healthCheck(st, id(0), List.of(bad, good))).error());
        HealthCheckResult r = Coordinator.healthCheck(s, id(0), List.of(bad));
        assertEquals(1, r.dropped());
        assertEquals(ClientState.Dropped, r.state().epochState().clients().get(2).state());
        // checking an already dropped client again drops nobody
        assertEquals(0, Coordinator.healthCheck(r.state(), id(0), List.of(bad)).dropped());
    }

    @Test void wrongProofsAreInvalidCommitteeProofs() {
        CoordinatorState s = roundsWithout(id(2), 5);
        CommitteeSelection sel = Coordinator.selection(s, Coordinator.previousRound(s));
        CommitteeProof p2 = sel.committeeProof(2);
        assertEquals(CoordinatorError.InvalidCommitteeProof, assertThrows(CoordinatorException.class,
                () -> Coordinator.healthCheck(s, id(0), List.of(new HealthCheck(id(3), p2)))).error());
        assertEquals(CoordinatorError.InvalidCommitteeProof, assertThrows(CoordinatorException.class,
                () -> Coordinator.healthCheck(s, id(0), List.of(new HealthCheck(id(2),
                        new CommitteeProof(p2.committee(), p2.position(), 99))))).error());
        assertEquals(CoordinatorError.InvalidCommitteeProof, assertThrows(CoordinatorException.class,
                () -> Coordinator.healthCheck(s, id(0), List.of(new HealthCheck(id(2),
                        new CommitteeProof(p2.committee(), p2.position() + 1, 2))))).error());
    }

    @Test void noPreviousRoundIsNoActiveRound() {
        CoordinatorState t = Coordinator_TickTest.training(3);
        CommitteeProof p = Coordinator.selection(t, Coordinator.currentRound(t)).committeeProof(0);
        assertEquals(CoordinatorError.NoActiveRound, assertThrows(CoordinatorException.class,
                () -> Coordinator.healthy(t, id(0), p)).error());
    }
}
