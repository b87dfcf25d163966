package psyche.frames;

import psyche.testing.RunFixtures;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Frames_ClientsTest {
    @Test
    void everyRegisteredClientWithEpochStandingAndPoints() {
        Table t = Frames.clients(RunFixtures.training());
        assertEquals(4, t.rowCount());
        assertEquals(List.of("Healthy", "Dropped", "Withdrawn", Frames.NOT_IN_EPOCH), t.stringColumn("epoch_state").asList());
        assertEquals(List.of(true, true, false, false), t.booleanColumn("in_epoch").asList());
        assertEquals(1L, t.longColumn("exited_height").get(2));
        assertTrue(t.longColumn("exited_height").isMissing(0));
        assertTrue(t.longColumn("exited_height").isMissing(3));
        assertEquals(List.of(true, false, false, true), t.booleanColumn("pending").asList());
        assertEquals(List.of(300L, 150L, 100L, 0L), t.longColumn("earned").asList());
        assertEquals("01ab0000", t.stringColumn("id").get(0));
        assertEquals(ColumnType.LONG, t.column("earned").type());
        assertFalse(t.stringColumn("pubkey").get(0).isEmpty());
    }
}
