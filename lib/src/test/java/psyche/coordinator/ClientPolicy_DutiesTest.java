package psyche.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static psyche.coordinator.Fixtures.T0;
import static psyche.coordinator.Fixtures.id;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The join, warmup-witness, witness and tick decisions of the client policy: pure functions of what a client sees,
 * checked as tables of states and the decision each gives.
 */
class ClientPolicy_DutiesTest {
    record JoinCase(String name, InstanceState state, NodeIdentity self, boolean due) {}

    @Test void joinIsDueOnlyWhileWaitingAndNotYetPendingForTheNextEpoch() {
        InstanceState waiting = Fixtures.started(Fixtures.config());
        InstanceState joined = RunProgram.join(waiting, id(1).signer(), id(1), T0, 1);
        InstanceState paused = RunProgram.setPaused(waiting, true, T0, 1);
        InstanceState warmup = RunProgram.tick(RunProgram.join(joined, id(2).signer(), id(2), T0, 1), T0 + 3, 5);
        assertEquals(RunState.Warmup, warmup.coordinator().runState(), "fixture");
        List<JoinCase> table = List.of(
                new JoinCase("waiting, unregistered", waiting, id(1), true),
                new JoinCase("waiting, pending for the next epoch", joined, id(1), false),
                new JoinCase("waiting, another client pending", joined, id(3), true),
                new JoinCase("paused", paused, id(1), false),
                new JoinCase("warmup (epoch started)", warmup, id(3), false),
                new JoinCase("uninitialized", RunProgram.create("x", "x"), id(1), false));
        for (JoinCase c : table) assertEquals(c.due(), ClientPolicy.joinDue(c.state(), c.self()), c.name());
    }

    @Test void warmupWitnessIsDueOncePerEpochClientWithPositionEqualToIndex() {
        CoordinatorState warmup = Fixtures.warmup(Fixtures.waiting(Fixtures.config()), 3);
        int index = Coordinator.clientIndex(warmup, id(1));
        assertTrue(index >= 0);
        Witness sent = ClientPolicy.witness(ClientPolicy.warmupWitnessDuty(warmup, id(1)).orElseThrow(),
                warmup.epochState().clients(), n -> true, ClientPolicy::noCommitment, 1, 2);
        CoordinatorState after = Coordinator.warmupWitness(warmup, id(1), sent, T0 + 4, 5);
        Map<String, Object[]> table = new java.util.LinkedHashMap<>();
        table.put("epoch client, none sent", new Object[] {warmup, id(1), Optional.of(new WitnessProof(index, index, true))});
        table.put("epoch client, its witness is in", new Object[] {after, id(1), Optional.empty()});
        table.put("another epoch client", new Object[] {after, id(2),
                Optional.of(new WitnessProof(Coordinator.clientIndex(after, id(2)), Coordinator.clientIndex(after, id(2)), true))});
        table.put("not an epoch client", new Object[] {warmup, id(9), Optional.empty()});
        table.put("not warmup", new Object[] {Fixtures.waiting(Fixtures.config()), id(1), Optional.empty()});
        table.forEach((name, row) -> assertEquals(row[2],
                ClientPolicy.warmupWitnessDuty((CoordinatorState) row[0], (NodeIdentity) row[1]), name));
    }

    @Test void witnessHoldsWhatTheClientHeardInEpochClientOrder() {
        CoordinatorState s = Coordinator_TickTest.training(4);
        List<Client> clients = s.epochState().clients();
        WitnessProof proof = new WitnessProof(0, 0, true);
        byte[] c0 = Hashing.sha256(new byte[] {0});
        byte[] c2 = Hashing.sha256(new byte[] {2});
        NodeIdentity a = clients.get(0).id();
        NodeIdentity b = clients.get(1).id();
        NodeIdentity c = clients.get(2).id();
        Map<NodeIdentity, byte[]> commitments = Map.of(a, c0, c, c2);
        // heard a, b, c; holds results of a and c (b's result did not arrive)
        Witness w = ClientPolicy.witness(proof, clients, Set.of(a, b, c)::contains,
                n -> Optional.ofNullable(commitments.get(n)), 11, 12);
        assertEquals(proof, w.proof());
        for (Client cl : clients) {
            boolean heard = Set.of(a, b, c).contains(cl.id());
            assertEquals(heard, Blooms.contains(w.participantBloom(), Blooms.participantItem(cl.id())), cl.id().toString());
        }
        assertTrue(Blooms.contains(w.broadcastBloom(), c0));
        assertTrue(Blooms.contains(w.broadcastBloom(), c2));
        assertArrayEquals(BroadcastMerkle.root(List.of(c0, c2)), w.broadcastMerkle(), "epoch-client order: a before c");
        // same inputs, same witness; the seeds are the blooms' (each side brings its own)
        assertEquals(w, ClientPolicy.witness(proof, clients, Set.of(a, b, c)::contains, n -> Optional.ofNullable(commitments.get(n)), 11, 12));
        // heard nobody, holds nothing: empty blooms with the given seeds and the zero merkle root
        Witness none = ClientPolicy.witness(proof, clients, n -> false, ClientPolicy::noCommitment, 3, 4);
        assertEquals(Blooms.emptySeeded(3), none.participantBloom());
        assertEquals(Blooms.emptySeeded(4), none.broadcastBloom());
        assertArrayEquals(new byte[32], none.broadcastMerkle());
    }

    record TickCase(String name, InstanceState state, long now, boolean due) {}

    @Test void tickIsDueWhenItMovesTheRun() {
        InstanceState waiting = Fixtures.started(Fixtures.config());
        InstanceState two = RunProgram.join(RunProgram.join(waiting, id(1).signer(), id(1), T0, 1), id(2).signer(), id(2), T0, 1);
        InstanceState warmup = RunProgram.tick(two, T0 + 3, 5);
        List<TickCase> table = List.of(
                new TickCase("waiting, nobody joined", waiting, T0 + 3, false),
                new TickCase("waiting, init_min_clients joined", two, T0 + 3, true),
                new TickCase("warmup, before warmup_time", warmup, T0 + 4, false),
                new TickCase("warmup, warmup_time over", warmup, T0 + 3 + 10, true),
                new TickCase("paused", RunProgram.setPaused(two, true, T0 + 1, 1), T0 + 3, false),
                new TickCase("uninitialized", RunProgram.create("x", "x"), T0, false));
        for (TickCase c : table) {
            assertEquals(c.due(), ClientPolicy.tickDue(c.state(), c.now()), c.name());
            if (c.due()) assertTrue(ClientPolicy.tickMoves(c.state(), RunProgram.tick(c.state(), c.now(), 0)), c.name());
        }
        assertFalse(ClientPolicy.tickMoves(warmup, warmup));
    }
}
