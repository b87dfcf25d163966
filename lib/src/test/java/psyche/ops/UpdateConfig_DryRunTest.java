package psyche.ops;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import psyche.chain.Keypair;
import psyche.chain.ProgramIds;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.RpcClient;
import psyche.coordinator.RunState;

import java.time.Duration;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** update-config --dry-run shows the diff and sends nothing; a new run's first config is not "unsafe". */
class UpdateConfig_DryRunTest {
    static LocalChain chain;
    static Cluster c;
    static Keypair owner;

    @BeforeAll static void start() {
        chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
        c = new Cluster(RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5)).build(), ProgramIds.MAINNET, true);
        owner = Keypair.generate();
        TestTokens.airdrop(c, owner.publicKey(), 10_000_000_000L);
    }

    @AfterAll static void stop() {
        c.close();
        chain.close();
    }

    @Test void dryRunShowsTheFirstConfigAndSendsNothing() throws Exception {
        CreateRun.execute(c, owner, CreateRun.Params.of("dry", "v1"));
        long before = c.rpc().requestCount();
        UpdateConfig.Result plan = UpdateConfig.plan(c, owner, UpdateConfig.Params.of("dry").withConfig(UpdateConfig_ExecuteTest.tinyWithP2P()));
        assertTrue(plan.dryRun());
        assertNull(plan.sent());
        String text = plan.render();
        assertTrue(text.startsWith("first config of the run: "), text);
        assertFalse(text.contains("UNSAFE") || text.contains("unsafe mid-run"), text);
        assertTrue(text.endsWith("dry run: nothing was signed or sent"), text);
        var state = RunSnapshot.fetch(c, "dry", OptionalLong.empty()).state().coordinator();
        assertEquals(RunState.Uninitialized, state.runState());
        assertEquals(0, state.config().totalSteps(), "nothing was applied");
        assertTrue(c.rpc().requestCount() - before < 20, "reads only");

        UpdateConfig.Result applied = UpdateConfig.execute(c, owner, UpdateConfig.Params.of("dry").withConfig(UpdateConfig_ExecuteTest.tinyWithP2P()));
        assertTrue(applied.firstConfig() && !applied.dryRun());
        assertEquals(plan.changes(), applied.changes());
    }
}
