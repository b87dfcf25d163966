package psyche;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.client.ChainClients;
import psyche.coordinator.Pubkey;
import psyche.monitor.Monitor;
import psyche.sim.Behaviour;
import psyche.sim.LogicalClock;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A local chain and simulated clients on one logical clock: what a run does depends on the steps taken, not on how
 * fast they were taken, so two runs from the same seeds give the same history, tables and diagnosis.
 */
class Psyche_LogicalClockTest {
    static Path quick() { return Psyche_LocalTest.tiny().resolveSibling("quick.toml"); }

    /** Everything a report would show of one run, as text (keys differ by wallet; the seeded clients' do not). */
    static String runOnce(Path dir, boolean slowMachine) throws Exception {
        LogicalClock clock = new LogicalClock();
        try (Psyche local = Psyche.localReproducible(dir.resolve("ledger"), dir.resolve("owner.json"), 42, clock)) {
            local.authorize(Pubkey.SYSTEM);
            Run run = local.createRun("logical");
            run.updateConfig(psyche.config.RunConfigs.read(quick()).withConfig(c -> c.withWitnessNodes(0))).resume();
            var recorder = run.record(dir.resolve("history.db"), Duration.ofSeconds(1));
            try (ChainClients clients = ChainClients.builder(local.cluster().rpc(), run.id()).optReliable(2)
                    .addClient(Behaviour.dropsAt(35)).optKeySeed(42).optLogicalClock(clock).build()) {
                assertThrows(IllegalStateException.class, clients::start, "a logical clock is stepped from the caller");
                if (slowMachine) Thread.sleep(1_500); // wall time passing between steps changes nothing
                Monitor.Outcome watched = run.watch(Monitor.Options.defaults().withInterval(Duration.ofSeconds(3))
                        .withLimit(Duration.ofSeconds(12)).withCharts(false), clients);
                assertTrue(clients.awaitEpochs(2, Duration.ofMinutes(3)), "two epochs in 3 minutes of chain time");
                recorder.close();
                var h = run.history();
                return watched.summary() + "\n" + clock.instant() + " after " + clients.steps() + " steps\n"
                        + run.summary().print() + run.clients().removeColumns("pubkey").print() + run.rounds().print()
                        + h.states().print(1000) + h.health().removeColumns("pubkey").print(1000) + run.diagnose();
            }
        }
    }

    @Test
    void twoRunsFromTheSameSeeds_showTheSameHistoryTablesAndDiagnosis_whateverTheWallClockDid(@TempDir Path dir) throws Exception {
        String first = runOnce(dir.resolve("a"), false);
        String second = runOnce(dir.resolve("b"), true);
        assertEquals(first, second);
        assertTrue(first.contains("Dropped"), "the client that drops at 35 s of chain time (mid epoch 1) is dropped by health checks:\n" + first);
        assertTrue(first.contains("2026-01-01T00:0"), "times are chain times from the logical clock:\n" + first);
    }
}
