package psyche.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.chain.Keypair;
import psyche.chain.ProgramIds;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.RpcClient;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;
import psyche.ops.ClaimRewards;
import psyche.ops.Cluster;
import psyche.ops.CreateRun;
import psyche.ops.JoinAuthorizations;
import psyche.ops.JoinRun;
import psyche.ops.OpsException;
import psyche.ops.SetPaused;
import psyche.ops.TestTokens;
import psyche.ops.UpdateConfig;

/** What a run owner gets wrong, each refused with a message that says what to do: through the CLI and the library. */
class RunManager_NegativePathsTest {
    @TempDir static Path dir;
    static LocalChain chain;
    static RpcClient rpc;
    static Cluster cluster;
    static Keypair owner, stranger;
    static Path ownerFile, strangerFile;
    static final String RUN = "neg-run", REWARDS = "neg-rewards";

    @BeforeAll static void start() {
        chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
        rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5)).build();
        cluster = new Cluster(rpc, ProgramIds.MAINNET, false);
        owner = Keypair.generate();
        stranger = Keypair.generate();
        ownerFile = dir.resolve("owner.json");
        strangerFile = dir.resolve("stranger.json");
        owner.save(ownerFile);
        stranger.save(strangerFile);
        TestTokens.airdrop(cluster, owner.publicKey(), 20_000_000_000L);
        TestTokens.airdrop(cluster, stranger.publicKey(), 5_000_000_000L);
        // a private run (join authority = owner, no authorization for the stranger), configured and running
        CreateRun.execute(cluster, owner, CreateRun.Params.of(RUN, "test"));
        UpdateConfig.execute(cluster, owner, UpdateConfig.Params.of(RUN).withConfigPath(tiny()));
        SetPaused.execute(cluster, owner, RUN, OptionalLong.empty(), false);
        Pubkey mint = TestTokens.createMint(cluster, owner, 6);
        CreateRun.execute(cluster, owner, CreateRun.Params.of(REWARDS, "test").withCollateralMint(mint));
    }

    @AfterAll static void stop() {
        rpc.close();
        chain.close();
    }

    static Path tiny() {
        Path p = Path.of("../notebooks/configs/tiny.toml");
        return Files.exists(p) ? p.toAbsolutePath() : Path.of("notebooks/configs/tiny.toml").toAbsolutePath();
    }

    @Test void unauthorizedJoinFailsAtOnceWithoutRetry() {
        long requestsBefore = rpc.requestCount();
        OpsException e = assertThrows(OpsException.class, () -> JoinRun.execute(cluster, stranger, RUN, Pubkey.SYSTEM, Optional.empty()));
        assertEquals(OpsException.Reason.NOT_AUTHORIZED, e.reason());
        assertTrue(e.getMessage().startsWith("not authorized to join run '" + RUN + "': no active join authorization from the run's join authority "
                + owner.publicKey()), e.getMessage());
        assertTrue(e.getMessage().contains("join-authorization-create --authorizer " + stranger.publicKey()), e.getMessage());
        assertTrue(rpc.requestCount() - requestsBefore < 10, "a handful of reads, no retry loop");

        // sent anyway (no pre-check): the program refuses once, and the error is not retried
        Pubkey missing = cluster.pdas().joinAuthorization(owner.publicKey(), stranger.publicKey()).address();
        var run = psyche.ops.RunSnapshot.fetch(cluster, RUN, OptionalLong.empty());
        long before = rpc.requestCount();
        OpsException onChain = assertThrows(OpsException.class, () -> cluster.send("join run '" + RUN + "'", stranger,
                List.of(cluster.coordinator().joinRun(stranger.publicKey(), missing, run.instanceAddress(), run.accountAddress(),
                        new NodeIdentity(stranger.publicKey(), Pubkey.SYSTEM)))));
        assertEquals(OpsException.Reason.NOT_AUTHORIZED, onChain.reason(), onChain.getMessage());
        assertTrue(onChain.getMessage().startsWith("join run '" + RUN + "' failed: AccountNotInitialized"), onChain.getMessage());
        assertTrue(rpc.requestCount() - before <= 3, "getLatestBlockhash + one sendTransaction, no retry: " + (rpc.requestCount() - before));

        CliRun can = CliRun.of("can-join", "--rpc", chain.rpcUrl(), "--run-id", RUN, "--address", stranger.publicKey().toBase58());
        assertEquals(1, can.code());
        assertTrue(can.out().startsWith("no: " + stranger.publicKey() + " cannot join run '" + RUN + "'"), can.out());
    }

    @Test void updateWhileRunningSaysPauseFirst() {
        CliRun r = CliRun.of("update-config", "--rpc", chain.rpcUrl(), "--run-id", RUN, "--config-path", tiny().toString(),
                "--restart-from-step", "5", "-w", ownerFile.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot update the config, model, progress or client version of run '" + RUN
                + "' while it is running (state Waiting for members"), r.err());
        assertTrue(r.err().contains("pause first: run-manager set-paused --run-id " + RUN + " --pause"), r.err());
    }

    @Test void programErrorsAreNamedWithAHint() {
        // past the pre-checks, the program's own refusal reads by name, with what to do
        var run = psyche.ops.RunSnapshot.fetch(cluster, RUN, OptionalLong.empty());
        var cfg = psyche.config.RunConfigs.read(tiny());
        OpsException e = assertThrows(OpsException.class, () -> cluster.send("update-config of run '" + RUN + "'", owner,
                List.of(cluster.coordinator().update(owner.publicKey(), run.instanceAddress(), run.accountAddress(),
                        new psyche.chain.CoordinatorInstructions.Update(Optional.empty(), Optional.of(cfg.config()), Optional.empty(), Optional.empty())))));
        assertEquals(OpsException.Reason.NOT_HALTED, e.reason());
        assertEquals("update-config of run '" + RUN + "' failed: UpdateConfigNotHalted (custom program error 6001) in program "
                + ProgramIds.COORDINATOR + "; pause the run first (set-paused), then update config, model or progress", e.getMessage());
        assertTrue(e.logs().stream().anyMatch(l -> l.contains("failed")), e.logs()::toString);
    }

    @Test void invalidConfigIsRefusedWithEveryViolationBeforeSigning() throws Exception {
        Path bad = dir.resolve("bad.toml");
        Files.writeString(bad, Files.readString(tiny()).replace("warmup_time = 10", "warmup_time = 100")
                .replace("min_clients = 1", "min_clients = 0"));
        CliRun r = CliRun.of("update-config", "--rpc", chain.rpcUrl(), "--run-id", REWARDS, "--config-path", bad.toString(), "-w", ownerFile.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("fails validation (nothing was signed)"), r.err());
        assertTrue(r.err().contains("warmup_time"), r.err());
        assertTrue(r.err().contains("min_clients"), r.err());
    }

    @Test void wrongSignerIsNamed() {
        CliRun r = CliRun.of("set-paused", "--rpc", chain.rpcUrl(), "--run-id", RUN, "--pause", "-w", strangerFile.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot pause run '" + RUN + "': wallet " + stranger.publicKey()
                + " is not the run's main authority " + owner.publicKey()), r.err());
    }

    @Test void closingARunningRunIsRefused() {
        CliRun r = CliRun.of("close-run", "--rpc", chain.rpcUrl(), "--run-id", RUN, "-w", ownerFile.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot close run '" + RUN + "' while it is running"), r.err());
        assertTrue(r.err().contains("pause first"), r.err());
    }

    @Test void claimingMoreThanEarnedIsRefused() {
        OpsException e = assertThrows(OpsException.class, () -> ClaimRewards.execute(cluster, stranger, REWARDS, OptionalLong.empty(), OptionalLong.of(10)));
        assertEquals(OpsException.Reason.INSUFFICIENT, e.reason());
        assertEquals("cannot claim 10 points from run '" + REWARDS + "': " + stranger.publicKey()
                + " earned 0 and already claimed 0, so at most 0 can be claimed", e.getMessage());
        CliRun r = CliRun.of("treasurer-claim-rewards", "--rpc", chain.rpcUrl(), "--run-id", REWARDS, "-w", strangerFile.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nothing to claim from run '" + REWARDS + "'"), r.err());
    }

    @Test void topUpOfAPlainRunExplainsThereIsNoTreasury() {
        CliRun r = CliRun.of("treasurer-top-up-rewards", "--rpc", chain.rpcUrl(), "--run-id", RUN, "--collateral-amount", "1", "-w", ownerFile.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("run '" + RUN + "' has no treasurer"), r.err());
    }

    @Test void runDownServiceCommandsSayWhyNot() {
        CliRun r = CliRun.of("download-results", "--rpc", chain.rpcUrl(), "--run-id", RUN, "-o", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("needs Nous' run-down service"), r.err());
    }

    @Test void deactivatedAuthorizationNoLongerAdmits() {
        Keypair grantor = Keypair.generate();
        TestTokens.airdrop(cluster, grantor.publicKey(), 1_000_000_000L);
        JoinAuthorizations.create(cluster, grantor, stranger.publicKey());
        assertTrue(JoinAuthorizations.read(cluster, grantor.publicKey(), stranger.publicKey()).authorization().active());
        JoinAuthorizations.delete(cluster, grantor, stranger.publicKey());
        assertTrue(!JoinAuthorizations.read(cluster, grantor.publicKey(), stranger.publicKey()).authorization().active());
        Pubkey delegate = Keypair.generate().publicKey();
        JoinAuthorizations.delegate(cluster, stranger, grantor.publicKey(), false, List.of(delegate));
        assertEquals(List.of(delegate), JoinAuthorizations.read(cluster, grantor.publicKey(), stranger.publicKey()).authorization().delegates());
    }
}
