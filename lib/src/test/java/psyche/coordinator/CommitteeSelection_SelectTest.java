package psyche.coordinator;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Mirrors Psyche's own committee_selection.rs tests, plus known positions. */
class CommitteeSelection_SelectTest {
    @Test void countsMatchPsycheTests() {
        CommitteeSelection cs = CommitteeSelection.create(10, 20, 30, 100, 12345);
        assertEquals(27, cs.verifierNodes());
        int tie = 0, ver = 0, tr = 0, wit = 0;
        for (int i = 0; i < 100; i++) {
            CommitteeProof p = cs.committeeProof(i);
            switch (p.committee()) {
                case TieBreaker -> { tie++; assertTrue(p.position() < 10); }
                case Verifier -> { ver++; assertTrue(p.position() >= 10 && p.position() < 37); }
                case Trainer -> { tr++; assertTrue(p.position() >= 37); }
            }
            assertTrue(cs.verifyCommittee(p));
            assertFalse(cs.verifyCommittee(new CommitteeProof(Committee.Verifier, 99, i)));
            WitnessProof w = cs.witnessProof(i);
            if (w.witness()) wit++;
            assertEquals(w.position() < 20, w.witness());
            assertTrue(cs.verifyWitness(w));
            assertFalse(cs.verifyWitness(new WitnessProof(99, i, !w.witness())));
        }
        assertEquals(List.of(10, 27, 63, 20), List.of(tie, ver, tr, wit));
        CommitteeSelection b = CommitteeSelection.create(10, 5, 20, 100, 12345);
        assertEquals(10, b.tieBreakerNodes());
        assertEquals(18, b.verifierNodes());
        assertEquals(72, b.trainerNodes());
    }

    @Test void knownPositions() {
        CommitteeSelection cs = CommitteeSelection.create(0, 0, 0, 100, 12345);
        assertEquals(83, cs.committeeProof(0).position());
        assertEquals(58, cs.witnessProof(0).position());
        assertEquals(7, cs.witnessProof(3).position());
        assertTrue(cs.witnessProof(3).witness()); // witness_nodes 0 ⇒ position < 32
        assertFalse(cs.witnessProof(0).witness());
    }

    @Test void invalidSelections() {
        assertEquals(CoordinatorError.InvalidCommitteeSelection,
                assertThrows(CoordinatorException.class, () -> CommitteeSelection.create(10, 5, 20, 9, 1)).error());
        assertThrows(CoordinatorException.class, () -> CommitteeSelection.create(10, 5, 101, 100, 1));
        assertThrows(CoordinatorException.class, () -> CommitteeSelection.create(10, 50, 0, 11, 1));
    }

    @Test void verifyForClientChecksTheIndex() {
        CommitteeSelection cs = CommitteeSelection.create(0, 0, 0, 3, 7);
        List<Client> clients = List.of(Client.healthy(Fixtures.id(0)), Client.healthy(Fixtures.id(1)), Client.healthy(Fixtures.id(2)));
        WitnessProof p = cs.witnessProof(1);
        assertTrue(cs.verifyWitnessForClient(Fixtures.id(1), p, clients));
        assertFalse(cs.verifyWitnessForClient(Fixtures.id(2), p, clients));
        assertTrue(cs.verifyCommitteeForClient(Fixtures.id(1), cs.committeeProof(1), clients));
        assertFalse(cs.verifyCommitteeForClient(Fixtures.id(1), cs.committeeProof(1), clients.subList(0, 1)));
    }
}
