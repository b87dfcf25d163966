package psyche.coordinator;

import org.junit.jupiter.api.Test;
import psyche.config.CoordinatorConfig;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DataAssignment_AssignTest {
    private static CoordinatorConfig ramp() {
        // gbs 4 → 16 over 1000 tokens
        return new CoordinatorConfig(10, 5, 6, 1, 1000, 60, 100, 2, 2, 0, 4, 16, 0, 3);
    }

    @Test void batchSizeRamp() {
        CoordinatorConfig c = ramp();
        assertEquals(4, DataAssignment.batchSize(c, 0));
        assertEquals(10, DataAssignment.batchSize(c, 500));
        assertEquals(6, DataAssignment.batchSize(c, 125)); // 4 + 12*0.125 = 5.5, Rust rounds half away from zero
        assertEquals(16, DataAssignment.batchSize(c, 1000));
        assertEquals(16, DataAssignment.batchSize(c, 5000));
        assertEquals(8, DataAssignment.batchSize(Fixtures.config(), 0)); // warmup tokens 0 ⇒ end size at once
    }

    @Test void dataIndexForStep() {
        CoordinatorConfig c = ramp();
        assertEquals(0, DataAssignment.dataIndexForStep(c, 16, 1));
        assertEquals(0, DataAssignment.dataIndexForStep(c, 16, 101));
        // step 2: 4; tokens 64 → 4+12*0.064=4.768 → 5; index 9; tokens 144 → 5.728 → 6; index 15
        assertEquals(4, DataAssignment.dataIndexForStep(c, 16, 2));
        assertEquals(9, DataAssignment.dataIndexForStep(c, 16, 3));
        assertEquals(15, DataAssignment.dataIndexForStep(c, 16, 4));
    }

    /** Expected order from an independent Python transcription of lcg.rs + deterministic_shuffle.rs. */
    @Test void lcgFisherYatesKnownAnswer() {
        assertEquals(List.of(2, 1, 0, 6, 7, 5, 4, 9, 8, 3),
                DataAssignment.deterministicShuffle(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 42));
    }

    @Test void assignsContiguousRangesCoveringTheBatch() {
        CoordinatorState s = Fixtures.warmup(Fixtures.waiting(Fixtures.config(100, 2, 0)), 3);
        s = Coordinator.tick(s, null, Fixtures.T0 + 3 + 10, 77).state(); // warmup timeout → first round
        assertEquals(RunState.RoundTrain, s.runState());
        Map<BatchId, NodeIdentity> a = DataAssignment.assign(s);
        assertEquals(3, a.size());
        long next = Coordinator.currentRound(s).dataIndex();
        long total = 0;
        for (BatchId b : a.keySet()) {
            assertEquals(next, b.start());
            next = b.end() + 1;
            total += b.size();
        }
        assertEquals(8, total);
        assertEquals("B[0, 2]", new BatchId(0, 2).toString());
        assertEquals("B5", new BatchId(5, 5).toString());
    }
}
