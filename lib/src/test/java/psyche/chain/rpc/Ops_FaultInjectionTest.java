package psyche.chain.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.chain.Keypair;
import psyche.chain.ProgramIds;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.FaultInjectingProxy.Fault;
import psyche.cli.RunManager;
import psyche.ops.Cluster;
import psyche.ops.CreateRun;
import psyche.ops.ListRuns;
import psyche.ops.RunSnapshot;
import psyche.ops.TestTokens;
import psyche.ops.TopUpRewards;

/**
 * Operations (library and CLI) through the RPC client against a loopback proxy that answers 429/500/503, resets
 * connections before and after forwarding, and rejects a blockhash: each operation lands exactly once.
 */
class Ops_FaultInjectionTest {
    @TempDir Path dir;
    LocalChain chain;
    FaultInjectingProxy proxy;
    Cluster cluster;
    Keypair owner;

    @BeforeEach void start() throws Exception {
        chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
        proxy = new FaultInjectingProxy(chain.rpcUrl());
        RpcClient rpc = RpcClient.builder().optEndpoint(proxy.url()).optMaxRetries(4)
                .optBackoff(Duration.ofMillis(1), Duration.ofMillis(10)).optPollInterval(Duration.ofMillis(5)).build();
        cluster = new Cluster(rpc, ProgramIds.MAINNET, true);
        owner = Keypair.generate();
        TestTokens.airdrop(cluster, owner.publicKey(), 10_000_000_000L);
    }

    @AfterEach void stop() throws Exception {
        cluster.close();
        proxy.close();
        chain.close();
    }

    @Test void createRunLandsOnceThroughTransportFaults() {
        proxy.inject("getLatestBlockhash", Fault.HTTP_503);
        proxy.inject("getAccountInfo", Fault.HTTP_429, Fault.RESET_BEFORE_FORWARD);
        proxy.inject("sendTransaction", Fault.HTTP_500, Fault.RESET_AFTER_FORWARD);
        proxy.inject("getSignatureStatuses", Fault.HTTP_429);
        long before = cluster.rpc().getBalance(owner.publicKey().toBase58());
        CreateRun.Result r = CreateRun.execute(cluster, owner, CreateRun.Params.of("faulty", "test"));
        assertTrue(r.sent().isPresent());
        assertEquals(1, ListRuns.execute(cluster, Optional.empty()).stream().filter(l -> l.runId().equals("faulty")).count());
        long rent = cluster.rpc().getMinimumBalanceForRentExemption(119_160) + cluster.rpc().getMinimumBalanceForRentExemption(173);
        long spent = before - cluster.rpc().getBalance(owner.publicKey().toBase58());
        assertTrue(spent >= rent && spent < rent + 100_000, "paid the rent once plus a fee: " + spent + " vs rent " + rent);
        assertTrue(proxy.count("sendTransaction") >= 2, "the faults were met");
    }

    @Test void topUpTransfersExactlyOnceWhenTheResponseIsLost() {
        var mint = TestTokens.createMint(cluster, owner, 6);
        TestTokens.mintTo(cluster, owner, mint, owner.publicKey(), 10_000_000L);
        CreateRun.execute(cluster, owner, CreateRun.Params.of("faulty-rewards", "test").withCollateralMint(mint));
        proxy.inject("sendTransaction", Fault.RESET_AFTER_FORWARD, Fault.HTTP_429);
        proxy.inject("getTransaction", Fault.HTTP_500);
        TopUpRewards.Result r = TopUpRewards.execute(cluster, owner, "faulty-rewards", OptionalLong.empty(), TopUpRewards.Amount.ui(1.25));
        assertEquals(1_250_000, r.after().funded());
        assertEquals(1_250_000, RunSnapshot.fetch(cluster, "faulty-rewards", OptionalLong.empty()).treasury().get().funded());
    }

    @Test void cliCommandCompletesOnceThroughFaults() {
        Path wallet = dir.resolve("owner.json");
        owner.save(wallet);
        proxy.inject("sendTransaction", Fault.RESET_BEFORE_FORWARD, Fault.BLOCKHASH_NOT_FOUND, Fault.RESET_AFTER_FORWARD);
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = RunManager.execute("run-manager", new PrintWriter(out, true), new PrintWriter(err, true),
                "join-authorization-create", "--rpc", proxy.url(), "--wallet-private-key-path", wallet.toString(),
                "--authorizer", "11111111111111111111111111111111");
        assertEquals(0, code, err::toString);
        assertTrue(out.toString().contains("active: true"), out::toString);
        // a second, fault-free run finds it active and sends nothing
        StringWriter out2 = new StringWriter();
        assertEquals(0, RunManager.execute("run-manager", new PrintWriter(out2, true), new PrintWriter(new StringWriter(), true),
                "join-authorization-create", "--rpc", proxy.url(), "-w", wallet.toString(), "--authorizer", "11111111111111111111111111111111"));
        assertTrue(out2.toString().contains("already active"), out2::toString);
    }
}
