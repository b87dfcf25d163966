package psyche.chain.local.psyche;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Keypair;
import psyche.chain.NativeInstructions;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.Transaction;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.Commitment;
import psyche.chain.rpc.RpcClient;
import psyche.chain.rpc.RpcTypes;
import psyche.coordinator.Pubkey;

/** The local chain serves Psyche's programs by default (as deployed, executable accounts) and keeps runs across restarts. */
class LocalChain_PsycheDefaultsTest {
    @Test void programsAreDeployedByDefaultAndARunSurvivesARestart(@TempDir Path dir) {
        ProgramIds ids = ProgramIds.MAINNET;
        Keypair owner = Keypair.generate();
        Keypair account = Keypair.generate();
        byte[] before;
        try (LocalChain chain = LocalChain.builder().optLedgerDir(dir).optRpcPort(0).start();
             RpcClient rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5))
                     .optCommitment(Commitment.CONFIRMED).build()) {
            for (Pubkey program : List.of(ids.coordinator(), ids.authorizer(), ids.treasurer())) {
                RpcTypes.AccountInfo info = rpc.getAccountInfo(program.toBase58());
                assertNotNull(info, program::toBase58);
                assertTrue(info.executable(), program + " is executable");
            }
            rpc.confirm(rpc.requestAirdrop(owner.publicKey().toBase58(), 10_000_000_000L), Commitment.CONFIRMED, 0);
            CoordinatorInstructions coordinator = new CoordinatorInstructions(ids);
            rpc.sendAndConfirm(bh -> Transaction.build(owner.publicKey(), List.of(
                    new NativeInstructions(ids).createAccount(owner.publicKey(), account.publicKey(),
                            rpc.getMinimumBalanceForRentExemption(CoordinatorAccountCodec.SIZE), CoordinatorAccountCodec.SIZE, ids.coordinator()),
                    coordinator.initCoordinator(owner.publicKey(), account.publicKey(),
                            new CoordinatorInstructions.InitCoordinator(owner.publicKey(), owner.publicKey(), "durable-run", "v1"))),
                    bh.blockhash(), owner, account).toWire());
            before = rpc.getAccountInfo(account.publicKey().toBase58()).data();
        }
        try (LocalChain chain = LocalChain.builder().optLedgerDir(dir).optRpcPort(0).start();
             RpcClient rpc = RpcClient.connect(chain.rpcUrl())) {
            assertArrayEquals(before, rpc.getAccountInfo(account.publicKey().toBase58()).data());
            CoordinatorAccount restored = CoordinatorAccount.decode(before);
            assertEquals("durable-run", restored.state().coordinator().runId());
            assertEquals("v1", restored.state().clientVersion());
            assertNotNull(rpc.getAccountInfo(new Pdas(ids).coordinatorInstance("durable-run").address().toBase58()));
        }
    }
}
