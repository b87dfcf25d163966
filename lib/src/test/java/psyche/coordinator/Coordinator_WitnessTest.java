package psyche.coordinator;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static psyche.coordinator.Fixtures.*;

class Coordinator_WitnessTest {
    @Test void witnessErrors() {
        CoordinatorState t = Coordinator_TickTest.training(3);
        CommitteeSelection sel = Coordinator.selection(t, Coordinator.currentRound(t));
        WitnessProof p0 = sel.witnessProof(0);
        List<NodeIdentity> all = ids(3);
        assertEquals(CoordinatorError.Halted, assertThrows(CoordinatorException.class,
                () -> Coordinator.witness(CoordinatorState.uninitialized("x"), id(0), witness(p0, all), T0)).error());
        assertEquals(CoordinatorError.InvalidRunState, assertThrows(CoordinatorException.class,
                () -> Coordinator.witness(warmup(waiting(config()), 3), id(0), witness(p0, all), T0)).error());
        assertEquals(CoordinatorError.InvalidWitness, assertThrows(CoordinatorException.class,
                () -> Coordinator.witness(t, id(1), witness(p0, all), T0)).error());
        assertEquals(CoordinatorError.InvalidWitness, assertThrows(CoordinatorException.class,
                () -> Coordinator.witness(t, id(0), witness(new WitnessProof(p0.position() + 1, 0, true), all), T0)).error());
        CoordinatorState once = Coordinator.witness(t, id(0), witness(p0, all), T0 + 14);
        assertEquals(RunState.RoundTrain, once.runState());
        assertEquals(CoordinatorError.DuplicateWitness, assertThrows(CoordinatorException.class,
                () -> Coordinator.witness(once, id(0), witness(p0, all), T0 + 14)).error());
    }

    @Test void nonWitnessProofIsInvalid() {
        // witness_nodes 2 of 3 clients: one client is not a witness
        CoordinatorState w = Fixtures.waiting(config(100, 2, 2));
        CoordinatorState t = Coordinator.tick(warmup(w, 3), null, T0 + 13, 9).state();
        CommitteeSelection sel = Coordinator.selection(t, Coordinator.currentRound(t));
        int nonWitness = -1;
        for (int i = 0; i < 3; i++) if (!sel.witnessProof(i).witness()) nonWitness = i;
        assertTrue(nonWitness >= 0);
        int nw = nonWitness;
        assertEquals(CoordinatorError.InvalidWitness, assertThrows(CoordinatorException.class,
                () -> Coordinator.witness(t, id(nw), witness(sel.witnessProof(nw), ids(3)), T0 + 14)).error());
        CoordinatorState done = witnessAll(t, T0 + 14);
        assertEquals(RunState.RoundWitness, done.runState());
        assertEquals(2, Coordinator.currentRound(done).witnesses().size());
    }

    @Test void quorum() {
        var c0 = config(100, 2, 0);
        assertEquals(1, Coordinator.witnessQuorum(c0, 1));
        assertEquals(2, Coordinator.witnessQuorum(c0, 2));
        assertEquals(2, Coordinator.witnessQuorum(c0, 3));
        assertEquals(2, Coordinator.witnessQuorum(c0, 4));
        assertEquals(6, Coordinator.witnessQuorum(c0, 9));
        assertEquals(21, Coordinator.witnessQuorum(c0, 32));
        var c5 = config(100, 5, 5);
        assertEquals(3, Coordinator.witnessQuorum(c5, 1));
    }

    @Test void witnessesFullAfter32() {
        CoordinatorState s = Fixtures.waiting(config(100, 2, 0));
        CoordinatorState warm = warmup(s, 40);
        CoordinatorState t = Coordinator.tick(warm, null, T0 + 13, 9).state();
        // witness_nodes 0 with 40 clients ⇒ exactly 32 witness positions; all of them fill the round
        CoordinatorState done = witnessAll(t, T0 + 14);
        assertEquals(32, Coordinator.currentRound(done).witnesses().size());
        assertEquals(RunState.RoundWitness, done.runState());
        CommitteeSelection sel = Coordinator.selection(t, Coordinator.currentRound(t));
        int extra = -1;
        for (int i = 0; i < 40; i++) if (!sel.witnessProof(i).witness()) extra = i;
        int e = extra;
        // a non-witness is refused as invalid before the capacity check
        assertEquals(CoordinatorError.InvalidWitness, assertThrows(CoordinatorException.class,
                () -> Coordinator.witness(done, id(e), witness(sel.witnessProof(e), ids(40)), T0 + 14)).error());
    }

    @Test void witnessesFullWhen32AreStored() {
        CoordinatorState t = Coordinator.tick(warmup(Fixtures.waiting(config(100, 2, 0)), 40), null, T0 + 13, 9).state();
        CommitteeSelection sel = Coordinator.selection(t, Coordinator.currentRound(t));
        int first = -1, other = -1;
        for (int i = 0; i < 40; i++) {
            if (!sel.witnessProof(i).witness()) continue;
            if (first < 0) first = i; else if (other < 0) other = i;
        }
        // unreachable through the public flow (only 32 witness positions exist); build a round holding 32 entries
        Witness w = witness(sel.witnessProof(first), ids(40));
        Round r = Coordinator.currentRound(t);
        Round full = new Round(java.util.Collections.nCopies(32, w), r.dataIndex(), r.randomSeed(), r.height(), r.clientsLen(), 0);
        EpochState e = t.epochState();
        java.util.List<Round> rounds = new java.util.ArrayList<>(e.rounds());
        rounds.set((int) e.roundsHead(), full);
        CoordinatorState st = new CoordinatorState(t.runId(), RunState.RoundWitness, t.model(), t.config(), t.progress(),
                new EpochState(rounds, e.clients(), e.exitedClients(), e.roundsHead(), e.startStep(), e.lastStep(),
                        e.startTimestamp(), e.firstRound(), e.coldStartEpoch()), T0 + 14, false);
        int o = other;
        assertEquals(CoordinatorError.WitnessesFull, assertThrows(CoordinatorException.class,
                () -> Coordinator.witness(st, id(o), witness(sel.witnessProof(o), ids(40)), T0 + 15)).error());
    }
}
