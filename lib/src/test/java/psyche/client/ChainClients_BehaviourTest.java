package psyche.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Keypair;
import psyche.chain.NativeInstructions;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.Transaction;
import psyche.chain.local.LocalChain;
import psyche.chain.local.MutableClock;
import psyche.chain.rpc.Commitment;
import psyche.chain.rpc.RpcClient;
import psyche.config.CoordinatorConfig;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.coordinator.BroadcastMerkle;
import psyche.coordinator.Client;
import psyche.coordinator.ClientState;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunState;
import psyche.sim.Behaviour;

/** Simulated chain clients: a dropped client is reported by health checks and earns nothing; no grant, no join. */
class ChainClients_BehaviourTest {
    static final ProgramIds IDS = ProgramIds.MAINNET;
    static MutableClock clock;
    static LocalChain chain;
    static RpcClient rpc;

    @BeforeAll static void start() {
        clock = new MutableClock(1_800_000_000_000L);
        chain = LocalChain.builder().optInMemory().optRpcPort(0).optClock(clock).start();
        rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5))
                .optCommitment(Commitment.CONFIRMED).build();
    }

    @AfterAll static void stop() {
        rpc.close();
        chain.close();
    }

    static long now() { return clock.millis() / 1000; }

    static void send(Keypair payer, List<psyche.chain.Instruction> ixs, Keypair... more) {
        List<Keypair> all = new ArrayList<>(List.of(payer));
        all.addAll(List.of(more));
        rpc.sendAndConfirm(bh -> Transaction.build(payer.publicKey(), ixs, bh.blockhash(), all.toArray(new Keypair[0])).toWire());
    }

    /** Owner with a run (config given, rates set, unpaused) whose join authority is {@code joinAuthority}. */
    static Pubkey runWith(String runId, Keypair owner, Pubkey joinAuthority, RunConfig config) {
        CoordinatorInstructions coordinator = new CoordinatorInstructions(IDS);
        Keypair account = Keypair.generate();
        send(owner, List.of(new NativeInstructions(IDS).createAccount(owner.publicKey(), account.publicKey(),
                rpc.getMinimumBalanceForRentExemption(CoordinatorAccountCodec.SIZE), CoordinatorAccountCodec.SIZE, IDS.coordinator()),
                coordinator.initCoordinator(owner.publicKey(), account.publicKey(),
                        new CoordinatorInstructions.InitCoordinator(owner.publicKey(), joinAuthority, runId, "test"))), account);
        Pubkey instance = new Pdas(IDS).coordinatorInstance(runId).address();
        send(owner, List.of(coordinator.update(owner.publicKey(), instance, account.publicKey(), new CoordinatorInstructions.Update(
                Optional.empty(), Optional.of(config.config()), Optional.of(config.model()), Optional.empty())),
                coordinator.setFutureEpochRates(owner.publicKey(), instance, account.publicKey(), Optional.of(3_000L), Optional.empty()),
                coordinator.setPaused(owner.publicKey(), instance, account.publicKey(), false)));
        return account.publicKey();
    }

    static Keypair funded() {
        Keypair k = Keypair.generate();
        rpc.confirm(rpc.requestAirdrop(k.publicKey().toBase58(), 10_000_000_000L), Commitment.CONFIRMED, 0);
        return k;
    }

    static RunConfig everyoneWitnesses() {
        java.nio.file.Path p = java.nio.file.Path.of("../notebooks/configs/tiny.toml");
        RunConfig tiny = RunConfigs.read(p.toFile().exists() ? p : java.nio.file.Path.of("notebooks/configs/tiny.toml"));
        CoordinatorConfig t = tiny.config();
        // witness_nodes = 0: every client witnesses, so the dropped one is judged by all the others
        return new RunConfig(new CoordinatorConfig(t.warmupTime(), t.cooldownTime(), t.maxRoundTrainTime(), t.roundWitnessTime(),
                t.globalBatchSizeWarmupTokens(), t.epochTime(), t.totalSteps(), t.initMinClients(), t.minClients(), 0,
                t.globalBatchSizeStart(), t.globalBatchSizeEnd(), t.verificationPercent(), t.waitingForMembersExtraTime()), tiny.model());
    }

    /**
     * Each witness of the current round holds, for every epoch client in its participant bloom, that client's
     * synthetic commitment in its broadcast bloom, and its merkle root is over those commitments in epoch order.
     * Returns the number of witnesses checked.
     */
    static int checkSyntheticCommitments(psyche.coordinator.CoordinatorState c) {
        if (c.runState() != RunState.RoundTrain && c.runState() != RunState.RoundWitness) return 0;
        psyche.coordinator.Round round = psyche.coordinator.Coordinator.currentRound(c);
        int checked = 0;
        for (psyche.coordinator.Witness w : round.witnesses()) {
            List<byte[]> heard = new ArrayList<>();
            for (Client cl : c.epochState().clients()) {
                if (!psyche.coordinator.Blooms.contains(w.participantBloom(), psyche.coordinator.Blooms.participantItem(cl.id()))) continue;
                byte[] commitment = ChainClient.syntheticCommitment(round.height(), cl.id());
                assertTrue(psyche.coordinator.Blooms.contains(w.broadcastBloom(), commitment), cl::toString);
                heard.add(commitment);
            }
            assertTrue(!heard.isEmpty());
            org.junit.jupiter.api.Assertions.assertArrayEquals(BroadcastMerkle.root(heard), w.broadcastMerkle());
            checked++;
        }
        return checked;
    }

    @Test void aClientThatDropsIsHealthCheckedOutAndEarnsNothing() {
        Keypair owner = funded();
        send(owner, List.of(new psyche.chain.AuthorizerInstructions(IDS).create(owner.publicKey(), owner.publicKey(), Pubkey.SYSTEM,
                Pdas.Scopes.COORDINATOR_JOIN_RUN), new psyche.chain.AuthorizerInstructions(IDS).grantorUpdate(owner.publicKey(),
                new Pdas(IDS).joinAuthorization(owner.publicKey(), Pubkey.SYSTEM).address(), true)));
        Pubkey account = runWith("drop-run", owner, owner.publicKey(), everyoneWitnesses());
        try (ChainClients clients = ChainClients.builder(rpc, "drop-run").optReliable(2).addClient(Behaviour.dropsAt(12))
                .optClock(ChainClients_BehaviourTest::now).build()) {
            boolean sawDropped = false;
            int witnessesChecked = 0;
            for (int i = 0; i < 300; i++) {
                clients.step();
                clock.advance(Duration.ofSeconds(1));
                var s = clients.lastState();
                witnessesChecked += checkSyntheticCommitments(s.coordinator());
                for (Client cl : s.coordinator().epochState().clients()) sawDropped |= cl.state() == ClientState.Dropped;
                for (Client cl : s.coordinator().epochState().exitedClients()) sawDropped |= cl.state() == ClientState.Dropped;
                if (s.coordinator().progress().epoch() >= 1) break;
            }
            CoordinatorAccount after = CoordinatorAccount.decode(rpc.getAccountInfo(account.toBase58()).data());
            assertEquals(1, after.state().coordinator().progress().epoch());
            assertTrue(sawDropped, "the dropped client was reported unhealthy by a health check");
            assertTrue(witnessesChecked > 0, "no round witness seen");
            ChainClient dropped = clients.clients().get(2);
            assertEquals(0, dropped.registryEntry(after.state()).orElseThrow().earned());
            for (ChainClient reliable : clients.clients().subList(0, 2)) {
                assertTrue(reliable.registryEntry(after.state()).orElseThrow().earned() > 0, reliable::toString);
            }
            assertTrue(clients.clients().get(0).transactionsSent() + clients.clients().get(1).transactionsSent() > 10);
        }
    }

    @Test void inRealTimeTheBackgroundLoopFinishesAnEpoch() {
        // a real clock on its own chain: a fast config (epoch 6 s) so an epoch passes in about ten seconds
        RunConfig tiny = everyoneWitnesses();
        CoordinatorConfig t = tiny.config();
        RunConfig fast = new RunConfig(new CoordinatorConfig(2, 1, 2, 1, t.globalBatchSizeWarmupTokens(), 6, t.totalSteps(),
                2, 1, 0, t.globalBatchSizeStart(), t.globalBatchSizeEnd(), 0, 1), tiny.model());
        try (LocalChain realTime = LocalChain.builder().optInMemory().optRpcPort(0).start();
             RpcClient r = RpcClient.builder().optEndpoint(realTime.rpcUrl()).optPollInterval(Duration.ofMillis(5)).build()) {
            Keypair owner = Keypair.generate();
            r.confirm(r.requestAirdrop(owner.publicKey().toBase58(), 10_000_000_000L), Commitment.CONFIRMED, 0);
            RpcClient saved = rpc;
            rpc = r;
            Pubkey account;
            try {
                send(owner, List.of(new psyche.chain.AuthorizerInstructions(IDS).create(owner.publicKey(), owner.publicKey(), Pubkey.SYSTEM,
                        Pdas.Scopes.COORDINATOR_JOIN_RUN), new psyche.chain.AuthorizerInstructions(IDS).grantorUpdate(owner.publicKey(),
                        new Pdas(IDS).joinAuthorization(owner.publicKey(), Pubkey.SYSTEM).address(), true)));
                account = runWith("real-time-run", owner, owner.publicKey(), fast);
            } finally {
                rpc = saved;
            }
            try (ChainClients clients = ChainClients.builder(r, "real-time-run").optReliable(2)
                    .optStepInterval(Duration.ofMillis(200)).optTimeLimit(Duration.ofSeconds(60)).build()) {
                clients.start();
                assertTrue(clients.awaitEpochs(1, Duration.ofSeconds(45)), () -> "no epoch in 45 s: " + clients.clients()
                        + " " + clients.clients().get(0).errors());
                CoordinatorAccount after = CoordinatorAccount.decode(r.getAccountInfo(account.toBase58()).data());
                for (ChainClient c : clients.clients()) assertEquals(1_500, c.registryEntry(after.state()).orElseThrow().earned());
            }
        }
    }

    @Test void withoutAGrantAClientGivesUpAtOnceAndTheLoopStopsOnClose() throws InterruptedException {
        Keypair owner = funded();
        Keypair authority = Keypair.generate(); // grants nothing
        runWith("private-run", owner, authority.publicKey(), everyoneWitnesses());
        ChainClients clients = ChainClients.builder(rpc, "private-run").optReliable(1).optClock(ChainClients_BehaviourTest::now)
                .optStepInterval(Duration.ofMillis(20)).optTimeLimit(Duration.ofSeconds(30)).build();
        try (clients) {
            clients.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (clients.steps() < 5 && System.nanoTime() < deadline) Thread.sleep(20);
            ChainClient c = clients.clients().get(0);
            assertTrue(clients.steps() >= 5);
            assertEquals(ChainClient.Authorized.NO, c.authorized());
            assertEquals(0, c.transactionsSent());
            assertEquals(0, c.transactionsFailed(), "no endless join retries");
            assertEquals(1, c.errors().size(), c.errors()::toString);
            assertTrue(c.errors().get(0).contains("no valid join authorization"));
            assertEquals(RunState.WaitingForMembers, clients.lastState().coordinator().runState());
        }
        long stepsAtClose = clients.steps();
        Thread.sleep(100);
        assertEquals(stepsAtClose, clients.steps(), "closed: no more steps");
        assertNotEquals(0, stepsAtClose);
    }
}
