package psyche.history;

import org.junit.jupiter.api.Test;
import psyche.coordinator.InstanceState;
import psyche.testing.RunFixtures;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryRecorder_PollTest {
    @Test
    void pollsUntilClosedAndSurvivesAFailedFetch() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Supplier<InstanceState> flaky = () -> {
            if (calls.incrementAndGet() == 2) throw new IllegalStateException("rpc down");
            return RunFixtures.training();
        };
        try (HistoryStore store = HistoryStore.inMemory()) {
            HistoryRecorder recorder = HistoryRecorder.start(store, flaky, Duration.ofMillis(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (recorder.polls() < 4 && System.nanoTime() < deadline) Thread.sleep(5);
            recorder.close();
            assertTrue(recorder.polls() >= 4, "polled " + recorder.polls() + " times");
            assertEquals(1, recorder.changes(), "same state every poll: recorded once");
            assertEquals(1, store.history("tiny-run").states().rowCount());
            long after = recorder.polls();
            Thread.sleep(50);
            assertEquals(after, recorder.polls(), "no polling after close");
        }
    }

    @Test
    void keepsTheLastError() throws Exception {
        try (HistoryStore store = HistoryStore.inMemory();
             HistoryRecorder recorder = HistoryRecorder.start(store, () -> { throw new IllegalStateException("boom"); },
                     Duration.ofMillis(10))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (recorder.lastError() == null && System.nanoTime() < deadline) Thread.sleep(5);
            assertNotNull(recorder.lastError());
            assertEquals("boom", recorder.lastError().getMessage());
        }
    }

    @Test
    void recordsTreasuryFiguresAlongsideTheState() throws Exception {
        try (HistoryStore store = HistoryStore.inMemory()) {
            HistoryRecorder recorder = HistoryRecorder.observing(store, () -> new HistoryRecorder.Observation(
                    RunFixtures.training(), java.util.Optional.of(new psyche.frames.TreasuryFigures(5_000, 600, 0, 600))),
                    Duration.ofMillis(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (recorder.polls() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            recorder.close();
            var treasury = store.history("tiny-run").treasury();
            assertEquals(1, treasury.rowCount(), "unchanged figures are stored once");
            assertEquals(4_400L, treasury.longColumn("funded").get(0) - treasury.longColumn("unclaimed").get(0));
        }
    }
}
