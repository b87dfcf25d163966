package psyche.chain.local.psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import psyche.chain.AuthorizerInstructions;
import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.NativeInstructions;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.Transaction;
import psyche.chain.TreasurerInstructions;
import psyche.chain.local.LocalChain;
import psyche.chain.local.MutableClock;
import psyche.chain.Rent;
import psyche.chain.rpc.Commitment;
import psyche.chain.rpc.RpcClient;
import psyche.chain.rpc.RpcTypes;
import psyche.chain.rpc.TransactionFailedException;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.coordinator.Pubkey;
import psyche.client.ChainClients;

/** Test fixture: a local chain with Psyche's programs on a free loopback port, a controllable clock, helpers. */
final class PsycheChain implements AutoCloseable {
    static final long SOL = Rent.LAMPORTS_PER_SOL;
    final MutableClock clock;
    final LocalChain chain;
    final RpcClient rpc;
    final ProgramIds ids = ProgramIds.MAINNET;
    final Pdas pdas = new Pdas(ids);
    final CoordinatorInstructions coordinator = new CoordinatorInstructions(ids);
    final AuthorizerInstructions authorizer = new AuthorizerInstructions(ids);
    final TreasurerInstructions treasurer = new TreasurerInstructions(ids);
    final NativeInstructions natives = new NativeInstructions(ids);

    PsycheChain() { this(1_800_000_000_000L, java.util.OptionalLong.empty()); }

    /** A chain whose clock starts at {@code startMillis}, with logical round seeds from {@code logicalSeeds} if present. */
    PsycheChain(long startMillis, java.util.OptionalLong logicalSeeds) {
        clock = new MutableClock(startMillis);
        LocalChain.Builder b = LocalChain.builder().optInMemory().optRpcPort(0).optClock(clock);
        logicalSeeds.ifPresent(b::optLogicalRoundSeeds);
        chain = b.start();
        rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5))
                .optCommitment(Commitment.CONFIRMED).optMaxRetries(0).build();
    }

    long now() { return clock.millis() / 1000; }

    Keypair funded() {
        Keypair k = Keypair.generate();
        rpc.confirm(rpc.requestAirdrop(k.publicKey().toBase58(), 100 * SOL), Commitment.CONFIRMED, 0);
        return k;
    }

    /** Sends (with preflight) and confirms; returns the signature. */
    String send(Keypair payer, List<Instruction> ixs, Keypair... signers) {
        Keypair[] all = new Keypair[signers.length + 1];
        all[0] = payer;
        System.arraycopy(signers, 0, all, 1, signers.length);
        return rpc.sendAndConfirm(bh -> Transaction.build(payer.publicKey(), ixs, bh.blockhash(), all).toWire());
    }

    String send(Keypair payer, Instruction ix, Keypair... signers) { return send(payer, List.of(ix), signers); }

    /** Sends expecting a preflight failure with custom code {@code code}; returns it for more checks. */
    TransactionFailedException fails(long code, Keypair payer, List<Instruction> ixs, Keypair... signers) {
        TransactionFailedException e = assertThrows(TransactionFailedException.class, () -> send(payer, ixs, signers));
        assertEquals(code, e.customCode(), () -> "error " + e.err() + " logs " + e.logs());
        return e;
    }

    TransactionFailedException fails(long code, Keypair payer, Instruction ix, Keypair... signers) {
        return fails(code, payer, List.of(ix), signers);
    }

    static void assertLogged(TransactionFailedException e, String text) {
        assertTrue(e.logs().stream().anyMatch(l -> l.contains(text)), () -> "no log line with '" + text + "' in " + e.logs());
    }

    RpcTypes.AccountInfo account(Pubkey key) { return rpc.getAccountInfo(key.toBase58()); }

    CoordinatorAccount coordinatorAccount(Pubkey account) { return CoordinatorAccount.decode(account(account).data()); }

    /** join authorization from {@code grantor} to {@code grantee}, created and activated. */
    Pubkey authorize(Keypair grantor, Pubkey grantee) {
        send(grantor, List.of(authorizer.create(grantor.publicKey(), grantor.publicKey(), grantee, Pdas.Scopes.COORDINATOR_JOIN_RUN),
                authorizer.grantorUpdate(grantor.publicKey(), pdas.joinAuthorization(grantor.publicKey(), grantee).address(), true)));
        return pdas.joinAuthorization(grantor.publicKey(), grantee).address();
    }

    /** A plain run: create_account of the coordinator account + init_coordinator, one transaction. */
    Run createRun(Keypair owner, String runId, Pubkey joinAuthority) {
        Keypair account = Keypair.generate();
        long rent = rpc.getMinimumBalanceForRentExemption(CoordinatorAccountCodec.SIZE);
        send(owner, List.of(natives.createAccount(owner.publicKey(), account.publicKey(), rent, CoordinatorAccountCodec.SIZE, ids.coordinator()),
                coordinator.initCoordinator(owner.publicKey(), account.publicKey(), new CoordinatorInstructions.InitCoordinator(
                        owner.publicKey(), joinAuthority, runId, "test"))), account);
        return new Run(runId, pdas.coordinatorInstance(runId).address(), account.publicKey());
    }

    record Run(String runId, Pubkey instance, Pubkey account) {}

    static RunConfig tinyConfig() {
        Path p = Path.of("../notebooks/configs/tiny.toml");
        if (!p.toFile().exists()) p = Path.of("notebooks/configs/tiny.toml");
        return RunConfigs.read(p);
    }

    CoordinatorInstructions.Update configUpdate(RunConfig config) {
        return new CoordinatorInstructions.Update(Optional.empty(), Optional.of(config.config()), Optional.of(config.model()),
                Optional.empty());
    }

    /** Steps the clients, advancing the clock one second per step, until {@code done} or {@code maxSteps}. */
    void drive(ChainClients clients, int maxSteps, java.util.function.BooleanSupplier done) {
        for (int i = 0; i < maxSteps && !done.getAsBoolean(); i++) {
            clients.step();
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Override public void close() {
        rpc.close();
        chain.close();
    }
}
