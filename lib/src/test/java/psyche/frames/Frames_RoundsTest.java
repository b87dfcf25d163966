package psyche.frames;

import psyche.testing.RunFixtures;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Frames_RoundsTest {
    @Test
    void storedRoundsOldestFirstWithBatchRanges() {
        Table t = Frames.rounds(RunFixtures.training().coordinator());
        assertEquals(3, t.rowCount(), "the empty fourth slot is not a round");
        assertEquals(List.of(0L, 1L, 2L), t.longColumn("height").asList());
        // ramp: 1024 warmup tokens, 128-token sequences: index 0 -> 4, index 4 (512 tokens) -> 4+4*0.5 = 6,
        // index 10 (1280 tokens >= 1024) -> 8
        assertEquals(List.of(4, 6, 8), t.intColumn("batch_size").asList());
        assertEquals(List.of(3L, 9L, 17L), t.longColumn("last_data_index").asList());
        assertEquals(List.of(false, false, true), t.booleanColumn("current").asList());
    }
}
