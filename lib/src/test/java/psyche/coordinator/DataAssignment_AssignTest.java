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
        assertEquals(4, c.globalBatchSize(0));
        assertEquals(10, c.globalBatchSize(500));
        assertEquals(6, c.globalBatchSize(125)); // 4 + 12*0.125 = 5.5, Rust rounds half away from zero
        assertEquals(16, c.globalBatchSize(1000));
        assertEquals(16, c.globalBatchSize(5000));
        assertEquals(8, Fixtures.config().globalBatchSize(0)); // warmup tokens 0 ⇒ end size at once
    }

    @Test void dataIndexForStep() {
        CoordinatorConfig c = ramp();
        assertEquals(0, c.dataIndexForStep(1, 16));
        assertEquals(0, c.dataIndexForStep(101, 16));
        // step 2: 4; tokens 64 → 4+12*0.064=4.768 → 5; index 9; tokens 144 → 5.728 → 6; index 15
        assertEquals(4, c.dataIndexForStep(2, 16));
        assertEquals(9, c.dataIndexForStep(3, 16));
        assertEquals(15, c.dataIndexForStep(4, 16));
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
