package psyche.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.Psyche;
import psyche.PsycheException;
import psyche.Run;
import psyche.config.CoordinatorConfig;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.coordinator.Pubkey;
import psyche.ops.ClaimRewards;
import psyche.ops.CreateRun;

/** A participant (simulated client) claims its rewards itself, signing inside the client; the owner never holds its key. */
class ChainClient_ClaimRewardsTest {
    @TempDir Path dir;

    @Test
    void eachClientClaimsWhatItEarned_onceThenNothingIsLeft() {
        RunConfig tiny = RunConfigs.read(Path.of("../notebooks/configs/tiny.toml"));
        CoordinatorConfig t = tiny.config();
        // 6-second epochs, as Frames_FromLocalChainTest
        RunConfig fast = new RunConfig(new CoordinatorConfig(2, 1, 2, 1, t.globalBatchSizeWarmupTokens(), 6, t.totalSteps(),
                2, 1, 0, t.globalBatchSizeStart(), t.globalBatchSizeEnd(), 0, 1), tiny.model());
        try (Psyche local = Psyche.local(0, dir.resolve("ledger"), dir.resolve("owner.json"))) {
            Pubkey mint = local.createTestMint(6);
            local.mintTo(mint, local.wallet().pubkey(), 1_000_000_000L);
            Run run = local.authorize(Pubkey.SYSTEM).createRun(CreateRun.Params.of("claims", "test").withCollateralMint(mint));
            run.updateConfig(fast);
            run.setFutureRates(2, 0);   // 2 tokens shared per epoch
            run.topUp(100);
            run.resume();
            try (ChainClients clients = ChainClients.builder(local.cluster().rpc(), run.id()).optReliable(2).optKeySeed(5)
                    .optStepInterval(Duration.ofMillis(200)).build()) {
                assertTrue(clients.awaitEpochs(1, Duration.ofSeconds(60)), "no epoch within 60 s");
                assertThrows(IllegalArgumentException.class, () -> clients.takeOffline(2));
                long claimedTotal = 0;
                for (ChainClient c : clients.clients()) {
                    long earned = c.registryEntry(run.state()).orElseThrow().earned();
                    assertTrue(earned >= 1_000_000, "at least half of one epoch's 2 tokens: " + earned);
                    ClaimRewards.Result r = run.claim(c);
                    assertEquals(c.signer(), r.user());
                    assertEquals(earned, r.claimed());
                    claimedTotal += r.claimed();
                }
                assertEquals(claimedTotal, ((Number) run.treasury(psyche.display.TokenUnits.NATIVE).column("claimed").get(0)).longValue());
                assertThrows(PsycheException.class, () -> run.claim(clients.clients().get(0)), "nothing left to claim");
            }
        }
    }
}
