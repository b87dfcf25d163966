package psyche.sim;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogicalClock_AdvanceTest {
    @Test
    void movesOnlyWhenAdvanced_andRunsDueTasksAtTheirInstants_onceAnAdvance() throws Exception {
        LogicalClock clock = new LogicalClock();
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), clock.instant());
        Thread.sleep(20);
        assertEquals(LogicalClock.DEFAULT_START, clock.instant(), "the wall clock does not move it");

        List<String> seen = new ArrayList<>();
        var everySecond = clock.every(Duration.ofSeconds(1), () -> seen.add("a@" + clock.millis() % 100_000));
        clock.every(Duration.ofMillis(1500), () -> seen.add("b@" + clock.millis() % 100_000));
        assertEquals(List.of("a@0", "b@0"), seen, "registered tasks run at once");
        clock.advance(Duration.ofMillis(500));
        assertEquals(List.of("a@0", "b@0"), seen);
        clock.advance(Duration.ofMillis(500));
        clock.advance(Duration.ofMillis(500));
        assertEquals(List.of("a@0", "b@0", "a@1000", "b@1500"), seen);
        clock.advance(Duration.ofSeconds(5)); // several intervals at once: each task runs once, at the new instant
        assertEquals(List.of("a@0", "b@0", "a@1000", "b@1500", "a@6500", "b@6500"), seen);
        everySecond.close();
        clock.advance(Duration.ofSeconds(2));
        assertEquals("b@8500", seen.get(seen.size() - 1));
        assertEquals(7, seen.size());
        assertEquals(Instant.parse("2026-01-01T00:00:08.500Z"), clock.instant());
        assertEquals(LogicalClock.DEFAULT_START.getEpochSecond() + 8, clock.epochSecond());
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofMillis(-1)));
    }
}
