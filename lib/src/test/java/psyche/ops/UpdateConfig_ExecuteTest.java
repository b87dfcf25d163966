package psyche.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import psyche.chain.Keypair;
import psyche.chain.ProgramIds;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.RpcClient;
import psyche.config.Checkpoint;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.Pubkey;

/** update-config's options on a local chain: restart from a step, switch to Hub, client version, metadata; joining. */
class UpdateConfig_ExecuteTest {
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

    static RunConfig tinyWithP2P() throws Exception {
        Path p = Path.of("../notebooks/configs/tiny.toml");
        if (!Files.exists(p)) p = Path.of("notebooks/configs/tiny.toml");
        return RunConfigs.parse(Files.readString(p).replace("[model.LLM.checkpoint.Hub]", "[model.LLM.checkpoint.P2P]"));
    }

    static CoordinatorState coordinator(String run) { return RunSnapshot.fetch(c, run, OptionalLong.empty()).state().coordinator(); }

    @Test void restartSwitchToHubClientVersionAndMetadata() throws Exception {
        CreateRun.execute(c, owner, CreateRun.Params.of("upd", "v1"));
        UpdateConfig.Result first = UpdateConfig.execute(c, owner, UpdateConfig.Params.of("upd").withConfig(tinyWithP2P()));
        assertTrue(first.changes().size() > 10, first.changes()::toString);
        assertTrue(coordinator("upd").model().checkpoint() instanceof Checkpoint.P2P);

        UpdateConfig.execute(c, owner, UpdateConfig.Params.of("upd").withSwitchToHub(true).withRestartFromStep(21)
                .withClientVersion("v2").withName("renamed"));
        CoordinatorState s = coordinator("upd");
        assertTrue(s.model().checkpoint() instanceof Checkpoint.Hub hub && hub.repo().repoId().equals("psyche-workbench/llama-tiny"), s.model()::toString);
        assertEquals(21, s.progress().step());
        assertEquals(s.config().dataIndexForStep(21, s.model().maxSeqLen()), s.progress().epochStartDataIndex());
        var st = RunSnapshot.fetch(c, "upd", OptionalLong.empty()).state();
        assertEquals("v2", st.clientVersion());
        assertEquals("renamed", st.metadata().name());

        OpsException nothing = assertThrows(OpsException.class, () -> UpdateConfig.execute(c, owner,
                UpdateConfig.Params.of("upd").withClientVersion("v2").withName("renamed")));
        assertEquals(OpsException.Reason.NOTHING_TO_DO, nothing.reason());
    }

    @Test void authorizedClientJoinsAndCanJoinSaysAlreadyIn() throws Exception {
        CreateRun.execute(c, owner, CreateRun.Params.of("joinable", "test"));
        UpdateConfig.execute(c, owner, UpdateConfig.Params.of("joinable").withConfig(tinyWithP2P()));
        SetPaused.execute(c, owner, "joinable", OptionalLong.empty(), false);
        JoinAuthorizations.create(c, owner, JoinAuthorizations.EVERYONE);
        Keypair client = Keypair.generate();
        TestTokens.airdrop(c, client.publicKey(), 1_000_000_000L);
        assertTrue(CanJoin.check(c, "joinable", client.publicKey(), Optional.empty()).canJoin());
        JoinRun.execute(c, client, "joinable", Pubkey.SYSTEM, Optional.empty());
        var registered = RunSnapshot.fetch(c, "joinable", OptionalLong.empty()).state().clientsState().clients();
        assertEquals(1, registered.size());
        assertEquals(client.publicKey(), registered.get(0).id().signer());
    }
}
