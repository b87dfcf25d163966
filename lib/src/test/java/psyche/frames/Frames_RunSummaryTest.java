package psyche.frames;

import psyche.testing.RunFixtures;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Frames_RunSummaryTest {
    @Test
    void summarisesStateProgressClientsAndTimeInStateVsTimeout() {
        Table t = Frames.runSummary(RunFixtures.training(), Instant.ofEpochSecond(1_057));
        assertEquals(1, t.rowCount());
        assertEquals("RoundTrain", t.stringColumn("state").get(0));
        assertEquals(3, t.intColumn("epoch").get(0));
        assertEquals(42L, t.longColumn("step").get(0));
        assertEquals(2, t.intColumn("clients").get(0));
        assertEquals(1, t.intColumn("exited_clients").get(0));
        assertEquals(4, t.intColumn("registered_clients").get(0));
        assertEquals(2, t.intColumn("pending_clients").get(0));
        assertEquals(7L, t.longColumn("seconds_in_state").get(0));
        assertEquals(10L, t.longColumn("state_timeout_seconds").get(0), "RoundTrain times out after max_round_train_time");
        assertEquals(57L, t.longColumn("seconds_in_epoch").get(0));
        assertEquals(600L, t.longColumn("earning_rate").get(0));
        assertEquals(900L, t.longColumn("future_earning_rate").get(0));
        assertFalse(t.booleanColumn("paused").get(0));
        assertEquals(ColumnType.INSTANT, t.column("state_since").type());
    }

    @Test
    void haltedRunHasNoStateTimeout() {
        var paused = RunFixtures.training();
        var c = paused.coordinator();
        var halted = new psyche.coordinator.InstanceState(paused.metadata(),
                new psyche.coordinator.CoordinatorState(c.runId(), psyche.coordinator.RunState.Paused, c.model(),
                        c.config(), c.progress(), c.epochState(), c.runStateStartUnixTimestamp(), false),
                paused.clientsState(), false, false, "test");
        Table t = Frames.runSummary(halted, Instant.ofEpochSecond(2_000));
        assertTrue(t.longColumn("state_timeout_seconds").isMissing(0));
        assertTrue(t.booleanColumn("paused").get(0));
    }
}
