package psyche;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.chain.Keypair;
import psyche.coordinator.RunState;
import psyche.diagnose.Diagnosis;
import psyche.history.HistoryRecorder;
import psyche.monitor.Monitor;
import psyche.ops.OpsException;
import tech.tablesaw.api.Table;

/** The notebook vocabulary on a local chain it starts on a free loopback port with a temporary ledger and wallet. */
class Psyche_LocalTest {
    @TempDir Path dir;

    static Path tiny() {
        Path p = Path.of("../notebooks/configs/tiny.toml");
        return Files.exists(p) ? p.toAbsolutePath() : Path.of("notebooks/configs/tiny.toml").toAbsolutePath();
    }

    @Test void createConfigureInspectDiagnoseRecordAndClose() throws Exception {
        Path walletFile = dir.resolve("wallets/default.json");
        try (Psyche psyche = Psyche.local(0, dir.resolve("ledger"), walletFile)) {
            assertTrue(Files.exists(walletFile), "a wallet file was created");
            assertTrue(psyche.wallet().balance() >= Psyche.LOCAL_WALLET_SOL, "and funded from the faucet");
            assertEquals("Wallet[" + psyche.wallet().pubkey() + "]", psyche.wallet().toString());

            Run run = psyche.authorize(null).createRun("nb-run");
            assertEquals(RunState.Uninitialized, run.state().coordinator().runState());
            Diagnosis fresh = run.diagnose();
            assertTrue(fresh.find("NOT_CONFIGURED").isPresent(), fresh::toString);
            OpsException noConfig = assertThrows(OpsException.class, run::resume);
            assertTrue(noConfig.getMessage().contains("has no config yet"), noConfig.getMessage());

            HistoryRecorder recorder = run.record(dir.resolve("history.db"), Duration.ofMillis(50));
            run.updateConfig(tiny()).resume();
            assertEquals(RunState.WaitingForMembers, run.state().coordinator().runState());
            Table summary = run.summary();
            assertEquals(1, summary.rowCount());
            assertEquals(0, run.clients().rowCount());
            assertEquals("Waiting for members", run.dumpJson().at("/coordinator_account/status/state").asText());
            assertTrue(run.dumpJson().get("treasurer_run").isNull());
            assertTrue(run.dumpUser(psyche.wallet().pubkey()).at("/coordinator_account/client").isNull());

            Keypair outsider = Keypair.generate();
            Diagnosis waiting = run.diagnose(outsider.publicKey());
            assertTrue(waiting.find("WAITING_FOR_CLIENTS").isPresent() || waiting.find("MISSING_AUTHORIZATION").isPresent(), waiting::toString);

            Monitor.Outcome watched = run.watch(Monitor.Options.defaults().withInterval(Duration.ofMillis(100))
                    .withLimit(Duration.ofMillis(500)).withCharts(false).withStopWhenHalted(false));
            assertTrue(watched.polls() >= 1, watched::toString);

            for (int i = 0; i < 100 && recorder.changes() < 2; i++) Thread.sleep(20);
            recorder.close();
            assertTrue(run.history().states().rowCount() >= 2, () -> run.history().states().print());

            Table runs = psyche.runs();
            assertEquals(1, runs.rowCount());
            assertEquals("nb-run", runs.stringColumn("run_id").get(0));

            run.pause();
            assertEquals(RunState.Paused, run.state().coordinator().runState());
            run.deleteOnChain();
            assertEquals(0, psyche.runs().rowCount());
        }
    }

    @Test void reusesARunningChainAndNeverOverwritesAKeyFile() throws Exception {
        Path walletFile = dir.resolve("id.json");
        try (Keypair k = Keypair.generate()) {
            k.save(walletFile);
        }
        byte[] original = Files.readAllBytes(walletFile);
        try (Psyche first = Psyche.local(0, dir.resolve("ledger"), walletFile)) {
            first.createRun("shared-run");
            int port = java.net.URI.create(first.rpcUrl()).getPort();
            try (Psyche second = Psyche.local(port, dir.resolve("other-ledger"), walletFile)) {
                assertEquals(first.rpcUrl(), second.rpcUrl());
                assertEquals(1, second.runs().rowCount(), "the same chain, not a new one");
                assertFalse(Files.exists(dir.resolve("other-ledger")), "no second ledger was started");
            }
            assertEquals(1, first.runs().rowCount(), "closing the second handle left the chain running");
        }
        assertArrayEquals(original, Files.readAllBytes(walletFile));
    }

    @Test void simulatedClientsJoinARunFromTheNotebook() throws Exception {
        try (Psyche psyche = Psyche.local(0, dir.resolve("ledger"), dir.resolve("w.json"))) {
            Run run = psyche.authorize(null).createRun("sim-run").updateConfig(tiny()).resume();
            try (var clients = run.simulateClients(2, Duration.ofSeconds(30))) {
                for (int i = 0; i < 200 && run.state().clientsState().clients().size() < 2; i++) Thread.sleep(50);
                assertEquals(2, run.state().clientsState().clients().size(), () -> clients.clients().get(0).errors().toString());
                assertEquals(2, run.clients().rowCount());
            }
        }
    }
}
