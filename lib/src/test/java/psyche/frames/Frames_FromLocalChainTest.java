package psyche.frames;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.Psyche;
import psyche.Run;
import psyche.display.TokenUnits;
import psyche.config.CoordinatorConfig;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.coordinator.Pubkey;
import psyche.ops.CreateRun;
import psyche.client.ChainClients;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames of a run that really ran on the local chain: a treasurer run, two clients, one finished epoch. */
class Frames_FromLocalChainTest {
    @TempDir Path dir;

    @Test
    void framesOfARunAfterAnEpochOnTheLocalChain() {
        RunConfig tiny = RunConfigs.read(Path.of("../notebooks/configs/tiny.toml"));
        CoordinatorConfig t = tiny.config();
        // 6-second epochs so one passes in about ten seconds; every client witnesses (witness_nodes 0)
        RunConfig fast = new RunConfig(new CoordinatorConfig(2, 1, 2, 1, t.globalBatchSizeWarmupTokens(), 6, t.totalSteps(),
                2, 1, 0, t.globalBatchSizeStart(), t.globalBatchSizeEnd(), 0, 1), tiny.model());
        try (Psyche local = Psyche.local(0, dir.resolve("ledger"), dir.resolve("owner.json"))) {
            Pubkey mint = local.createTestMint(6);
            local.mintTo(mint, local.wallet().pubkey(), 1_000_000_000L);
            Run run = local.authorize(Pubkey.SYSTEM)
                    .createRun(CreateRun.Params.of("frames-run", "test").withCollateralMint(mint));
            run.updateConfig(fast);
            run.setFutureRates(2, 0);   // 2 tokens (6 decimals) shared per epoch
            run.topUp(100);
            run.resume();
            try (ChainClients clients = ChainClients.builder(local.cluster().rpc(), run.id()).optReliable(2)
                    .optStepInterval(Duration.ofMillis(200)).optTimeLimit(Duration.ofSeconds(90)).build()) {
                clients.start();
                assertTrue(clients.awaitEpochs(1, Duration.ofSeconds(60)), "no epoch within 60 s");
            }

            Table summary = run.summary();
            assertEquals(1, summary.rowCount());
            assertTrue(summary.intColumn("epoch").get(0) >= 1, summary.print());
            assertEquals(2, summary.intColumn("registered_clients").get(0));
            assertEquals(2.0, summary.doubleColumn("earning_rate").get(0), "shown in tokens, as setFutureRates took it");
            assertEquals(2_000_000L, run.summary(TokenUnits.NATIVE).longColumn("earning_rate").get(0));

            Table clients = run.clients();
            assertEquals(2, clients.rowCount(), clients.print());
            assertEquals(List.of(1.0, 1.0), clients.doubleColumn("earned").asList(),
                    "2 tokens shared by the two healthy finishers of the first epoch: " + clients.print());
            Table clientsNative = run.clients(TokenUnits.NATIVE);
            assertEquals(ColumnType.LONG, clientsNative.column("earned").type());
            assertEquals(List.of(1_000_000L, 1_000_000L), clientsNative.longColumn("earned").asList(), clientsNative.print());

            Table rounds = run.rounds();
            for (int i = 0; i < rounds.rowCount(); i++) {
                assertEquals(8, rounds.intColumn("batch_size").get(i), "gbs 8 from the first token (no warmup tokens)");
                assertEquals(rounds.longColumn("data_index").get(i) + 7, rounds.longColumn("last_data_index").get(i));
            }

            assertEquals(100.0, run.treasury().doubleColumn("funded").get(0), "topped up 100 tokens");
            Table treasury = run.treasury(TokenUnits.NATIVE);
            assertEquals(1, treasury.rowCount(), treasury.print());
            assertEquals(100_000_000L, treasury.longColumn("funded").get(0));
            assertTrue(treasury.longColumn("claimable").get(0) >= 2_000_000L, treasury.print());
            assertEquals(treasury.longColumn("funded").get(0) - treasury.longColumn("unclaimed").get(0),
                    treasury.longColumn("surplus").get(0));

            Table runs = local.runs();
            assertTrue(runs.stringColumn("run_id").asList().contains("frames-run"), runs.print());
        }
    }
}
