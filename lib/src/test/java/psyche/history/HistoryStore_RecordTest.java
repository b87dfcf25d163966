package psyche.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.coordinator.Client;
import psyche.coordinator.ClientState;
import psyche.coordinator.RunState;
import psyche.frames.TreasuryFigures;
import psyche.testing.RunFixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static psyche.testing.RunFixtures.node;

class HistoryStore_RecordTest {
    static final List<Client> BOTH_HEALTHY = List.of(Client.healthy(node(1)), Client.healthy(node(2)));
    static final List<Client> TWO_DROPPED = List.of(Client.healthy(node(1)), new Client(node(2), ClientState.Dropped, 0));

    @Test
    void writesOnlyWhatChanged() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            var s = RunFixtures.at(RunState.RoundTrain, 1, 5, 0, BOTH_HEALTHY, new long[]{0, 0, 0, 0});
            assertTrue(store.record(s, Instant.ofEpochSecond(100)));
            assertFalse(store.record(s, Instant.ofEpochSecond(101)), "the same observation twice is one row");
            var next = RunFixtures.at(RunState.RoundWitness, 1, 5, 1, TWO_DROPPED, new long[]{0, 0, 0, 0});
            assertTrue(store.record(next, Instant.ofEpochSecond(110)));

            History h = store.history("tiny-run");
            assertEquals(List.of("RoundTrain", "RoundWitness"), h.states().stringColumn("state").asList());
            assertEquals(List.of(0L, 1L), h.rounds().longColumn("height").asList());
            // health: 3 clients (2 in epoch + 1 exited) at height 0, and again at height 1 with client 2 dropped
            assertEquals(6, h.health().rowCount());
            assertEquals("Dropped", h.health().where(h.health().longColumn("height").isEqualTo(1)
                    .and(h.health().stringColumn("client").isEqualTo(node(2).shortId()))).stringColumn("state").get(0));
            assertEquals(4, h.rewards().rowCount(), "first sight of each registered client");
        }
    }

    @Test
    void pointsRowsOnlyWhenAClientsPointsChange() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            store.record(RunFixtures.at(RunState.Cooldown, 1, 9, 3, BOTH_HEALTHY, new long[]{0, 0, 0, 0}), Instant.ofEpochSecond(1));
            store.record(RunFixtures.at(RunState.WaitingForMembers, 2, 9, 3, BOTH_HEALTHY, new long[]{300, 300, 0, 0}), Instant.ofEpochSecond(2));
            var rewards = store.history("tiny-run").rewards();
            assertEquals(6, rewards.rowCount());
            assertEquals(List.of(300L, 300L), rewards.where(rewards.intColumn("epoch").isEqualTo(2)).longColumn("earned").asList());
        }
    }

    @Test
    void roundsAreNotAttributedToTheNextEpochWhileWaiting() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            store.record(RunFixtures.at(RunState.WaitingForMembers, 2, 9, 3, BOTH_HEALTHY, new long[4]), Instant.ofEpochSecond(1));
            assertEquals(0, store.history("tiny-run").rounds().rowCount());
            assertEquals(0, store.history("tiny-run").health().rowCount());
        }
    }

    @Test
    void survivesReopeningTheFile(@TempDir Path dir) {
        Path file = dir.resolve("sub/history.db");
        try (HistoryStore store = HistoryStore.open(file)) {
            store.record(RunFixtures.training(), Instant.ofEpochSecond(5));
            store.recordTreasury("tiny-run", new TreasuryFigures(1000, 300, 0, 600), Instant.ofEpochSecond(5));
            assertFalse(store.recordTreasury("tiny-run", new TreasuryFigures(1000, 300, 0, 600), Instant.ofEpochSecond(6)));
        }
        assertTrue(Files.exists(file));
        try (HistoryStore store = HistoryStore.open(file)) {
            assertEquals(List.of("tiny-run"), store.runs());
            assertFalse(store.record(RunFixtures.training(), Instant.ofEpochSecond(7)), "already recorded before restart");
            History h = store.history("tiny-run");
            assertEquals(1, h.states().rowCount());
            assertEquals(700L, h.treasury().longColumn("unclaimed").get(0) + 400L);
        }
    }

    @Test
    void unreadableFileSaysWhich(@TempDir Path dir) throws Exception {
        Path bogus = dir.resolve("not-a-db");
        Files.writeString(bogus, "this is not sqlite, just text that is long enough to have a header......................");
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(bogus));
        assertTrue(e.getMessage().contains("not-a-db"), e.getMessage());
    }
}
