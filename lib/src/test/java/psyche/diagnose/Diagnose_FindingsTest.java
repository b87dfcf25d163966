package psyche.diagnose;

import org.junit.jupiter.api.Test;
import psyche.coordinator.Client;
import psyche.coordinator.ClientState;
import psyche.coordinator.ClientsState;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.InstanceState;
import psyche.coordinator.RunState;
import psyche.coordinator.SolanaClient;
import psyche.frames.TreasuryFigures;
import psyche.history.History;
import psyche.history.HistoryStore;
import psyche.testing.RunFixtures;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static psyche.testing.RunFixtures.node;

/** Each finding with a scenario that produces it and one that does not. Fixture run: state since t=1050. */
class Diagnose_FindingsTest {
    static final List<Client> HEALTHY = List.of(Client.healthy(node(1)), Client.healthy(node(2)));
    static final Instant SOON = Instant.ofEpochSecond(1_052);

    static InstanceState in(RunState state) {
        return RunFixtures.at(state, 1, 5, 0, HEALTHY, new long[4]);
    }

    static InstanceState withState(InstanceState s, RunState state, boolean pendingPause) {
        CoordinatorState c = s.coordinator();
        return new InstanceState(s.metadata(), new CoordinatorState(c.runId(), state, c.model(), c.config(), c.progress(),
                c.epochState(), c.runStateStartUnixTimestamp(), pendingPause), s.clientsState(), false, false, "test");
    }

    static Diagnosis run(InstanceState s, Instant now) {
        return Diagnose.diagnose(Diagnose.Facts.builder().setInstance(s).setNow(now).build());
    }

    @Test
    void uninitializedRunIsNotConfigured() {
        Diagnosis d = run(in(RunState.Uninitialized), SOON);
        assertTrue(d.find("NOT_CONFIGURED").orElseThrow().nextStep().contains("update-config"));
        assertFalse(d.healthy());
        assertTrue(run(in(RunState.RoundTrain), SOON).find("NOT_CONFIGURED").isEmpty());
    }

    @Test
    void pausedRunSaysHowToResume() {
        assertTrue(run(in(RunState.Paused), SOON).find("PAUSED").orElseThrow().nextStep().contains("--resume"));
        assertTrue(run(in(RunState.RoundTrain), SOON).find("PAUSED").isEmpty());
    }

    @Test
    void pendingPauseIsReported() {
        assertTrue(run(withState(in(RunState.RoundTrain), RunState.RoundTrain, true), SOON).find("PAUSE_PENDING").isPresent());
        assertTrue(run(in(RunState.RoundTrain), SOON).find("PAUSE_PENDING").isEmpty());
    }

    @Test
    void waitingWithTooFewPendingClients() {
        // fixture: next_active 7, clients 1 and 4 pending (2) vs init_min_clients 2 -> enough
        assertTrue(run(in(RunState.WaitingForMembers), SOON).find("WAITING_FOR_CLIENTS").isEmpty());
        InstanceState s = in(RunState.WaitingForMembers);
        ClientsState fewer = new ClientsState(List.of(new SolanaClient(node(1), 0, 0, 7), new SolanaClient(node(2), 0, 0, 6)),
                7, s.clientsState().currentEpochRates(), s.clientsState().futureEpochRates());
        InstanceState one = new InstanceState(s.metadata(), s.coordinator(), fewer, false, false, "test");
        Finding f = run(one, SOON).find("WAITING_FOR_CLIENTS").orElseThrow();
        assertTrue(f.evidence().startsWith("1 of init_min_clients=2"), f.evidence());
        // and a run waiting for clients is not "stuck": no tick would help
        assertTrue(run(one, Instant.ofEpochSecond(5_000)).find("NEEDS_TICK").isEmpty());
    }

    @Test
    void stuckPastTimeoutNeedsATick() {
        // RoundTrain times out after max_round_train_time=10 s; grace 10 s
        assertTrue(run(in(RunState.RoundTrain), Instant.ofEpochSecond(1_050 + 20)).find("NEEDS_TICK").isEmpty());
        Finding f = run(in(RunState.RoundTrain), Instant.ofEpochSecond(1_050 + 21)).find("NEEDS_TICK").orElseThrow();
        assertTrue(f.nextStep().contains("run-manager tick --run-id tiny-run"), f.nextStep());
        assertTrue(f.evidence().contains("timeout 10 s"), f.evidence());
        assertTrue(run(in(RunState.Paused), Instant.ofEpochSecond(99_999)).find("NEEDS_TICK").isEmpty(), "halted runs have no timeout");
    }

    @Test
    void missingAuthorizationNamesTheKey() {
        var s = in(RunState.WaitingForMembers);
        Diagnosis d = Diagnose.diagnose(Diagnose.Facts.builder().setInstance(s).setNow(SOON)
                .optJoinAuthorization(node(5).signer(), false).optJoinAuthorization(node(1).signer(), true).build());
        List<Finding> missing = d.findings().stream().filter(f -> f.code().equals("MISSING_AUTHORIZATION")).toList();
        assertEquals(1, missing.size());
        assertTrue(missing.get(0).nextStep().contains(node(5).signer().toBase58()));
    }

    @Test
    void configOnChainIsCheckedLikeAFile() {
        InstanceState s = in(RunState.Paused);
        CoordinatorState c = s.coordinator();
        var k = c.config();
        var bad = new psyche.config.CoordinatorConfig(60, k.cooldownTime(), k.maxRoundTrainTime(), k.roundWitnessTime(),
                k.globalBatchSizeWarmupTokens(), 60, k.totalSteps(), k.initMinClients(), k.minClients(), k.witnessNodes(),
                k.globalBatchSizeStart(), k.globalBatchSizeEnd(), k.verificationPercent(), k.waitingForMembersExtraTime());
        InstanceState badRun = new InstanceState(s.metadata(), new CoordinatorState(c.runId(), c.runState(), c.model(), bad,
                c.progress(), c.epochState(), c.runStateStartUnixTimestamp(), false), s.clientsState(), false, false, "t");
        Finding f = run(badRun, SOON).find("CONFIG_INVALID").orElseThrow();
        assertTrue(f.evidence().contains("warmup_time"), f.evidence());
        assertTrue(run(s, SOON).find("CONFIG_INVALID").isEmpty(), "the fixture's config is valid");
        assertTrue(run(in(RunState.Uninitialized), SOON).find("CONFIG_INVALID").isEmpty(), "no config yet is NOT_CONFIGURED");
    }

    @Test
    void droppedClientsAreNamedWithHeights() {
        InstanceState s = RunFixtures.at(RunState.RoundTrain, 1, 5, 2,
                List.of(Client.healthy(node(1)), new Client(node(2), ClientState.Dropped, 0)), new long[4]);
        Finding f = run(s, SOON).find("CLIENTS_DROPPED").orElseThrow();
        assertTrue(f.evidence().contains(node(2).shortId() + " Dropped"), f.evidence());
        assertFalse(f.evidence().contains(node(3).shortId()), "a withdrawn client is not a dropped one: " + f.evidence());
    }

    @Test
    void droppedClientThatLeftShowsItsExitHeight() {
        InstanceState s = RunFixtures.at(RunState.RoundTrain, 1, 5, 2, HEALTHY, new long[4]);
        CoordinatorState c = s.coordinator();
        var epoch = new psyche.coordinator.EpochState(c.epochState().rounds(), HEALTHY,
                List.of(new Client(node(3), ClientState.Dropped, 1)), 2, 1, 0, 1000, false, false);
        InstanceState left = new InstanceState(s.metadata(), new CoordinatorState(c.runId(), c.runState(), c.model(),
                c.config(), c.progress(), epoch, c.runStateStartUnixTimestamp(), false), s.clientsState(), false, false, "t");
        Finding f = run(left, SOON).find("CLIENTS_DROPPED").orElseThrow();
        assertTrue(f.evidence().contains(node(3).shortId() + " Dropped (left at height 1)"), f.evidence());
    }

    @Test
    void noDropFindingWhenEveryoneIsHealthyOrWithdrawn() {
        assertTrue(run(RunFixtures.at(RunState.RoundTrain, 1, 5, 2, HEALTHY, new long[4]), SOON).find("CLIENTS_DROPPED").isEmpty(),
                "the fixture's exited client is Withdrawn");
    }

    @Test
    void noDropFindingWhenEveryoneIsHealthy() {
        InstanceState s = RunFixtures.at(RunState.RoundTrain, 1, 5, 2, HEALTHY, new long[4]);
        CoordinatorState c = s.coordinator();
        var epoch = new psyche.coordinator.EpochState(c.epochState().rounds(), HEALTHY, List.of(), 2, 1, 0, 1000, false, false);
        InstanceState clean = new InstanceState(s.metadata(), new CoordinatorState(c.runId(), c.runState(), c.model(),
                c.config(), c.progress(), epoch, c.runStateStartUnixTimestamp(), false), s.clientsState(), false, false, "t");
        assertTrue(run(clean, SOON).find("CLIENTS_DROPPED").isEmpty());
    }

    @Test
    void belowMinClientsWhileTraining() {
        // min_clients = 1 in the fixture; none healthy
        InstanceState s = RunFixtures.at(RunState.RoundTrain, 1, 5, 0,
                List.of(new Client(node(1), ClientState.Dropped, 0)), new long[4]);
        assertTrue(run(s, SOON).find("BELOW_MIN_CLIENTS").isPresent());
        assertTrue(run(in(RunState.RoundTrain), SOON).find("BELOW_MIN_CLIENTS").isEmpty());
    }

    @Test
    void earlyEpochsFromHistory() {
        // epoch_time 60 s: epoch 1 runs Warmup at t=0 to Cooldown at t=30 -> early; epoch 2 takes 60 s -> fine
        try (HistoryStore store = HistoryStore.inMemory()) {
            store.record(RunFixtures.at(RunState.Warmup, 1, 1, 0, HEALTHY, new long[4]), Instant.ofEpochSecond(0));
            store.record(RunFixtures.at(RunState.RoundTrain, 1, 1, 0, HEALTHY, new long[4]), Instant.ofEpochSecond(10));
            store.record(RunFixtures.at(RunState.Cooldown, 1, 3, 1, HEALTHY, new long[4]), Instant.ofEpochSecond(30));
            store.record(RunFixtures.at(RunState.Warmup, 2, 3, 0, HEALTHY, new long[4]), Instant.ofEpochSecond(40));
            store.record(RunFixtures.at(RunState.RoundTrain, 2, 3, 0, HEALTHY, new long[4]), Instant.ofEpochSecond(50));
            store.record(RunFixtures.at(RunState.Cooldown, 2, 9, 3, HEALTHY, new long[4]), Instant.ofEpochSecond(100));
            History h = store.history("tiny-run");
            Diagnosis d = Diagnose.diagnose(Diagnose.Facts.builder().setInstance(in(RunState.RoundTrain)).setNow(SOON)
                    .optHistory(h).build());
            Finding f = d.find("EPOCHS_ENDING_EARLY").orElseThrow();
            assertTrue(f.evidence().contains("epoch 1 lasted 30 s"), f.evidence());
            assertFalse(f.evidence().contains("epoch 2"), f.evidence());
        }
    }

    @Test
    void treasuryUnderfundedAndLow() {
        var s = in(RunState.RoundTrain);
        Diagnosis under = Diagnose.diagnose(Diagnose.Facts.builder().setInstance(s).setNow(SOON)
                .optTreasury(new TreasuryFigures(100, 1_000, 0, 600)).build());
        assertTrue(under.find("TREASURY_UNDERFUNDED").orElseThrow().evidence().contains("missing 900"));
        Diagnosis low = Diagnose.diagnose(Diagnose.Facts.builder().setInstance(s).setNow(SOON)
                .optTreasury(new TreasuryFigures(2_000, 1_000, 0, 600)).build());
        assertTrue(low.find("TREASURY_LOW").orElseThrow().evidence().contains("1.7 epochs"));
        Diagnosis fine = Diagnose.diagnose(Diagnose.Facts.builder().setInstance(s).setNow(SOON)
                .optTreasury(new TreasuryFigures(100_000, 1_000, 0, 600)).build());
        assertTrue(fine.find("TREASURY_LOW").isEmpty() && fine.find("TREASURY_UNDERFUNDED").isEmpty());
    }

    @Test
    void treasuryAmounts_inTheMintsUnits_orNativeOnRequest() {
        var s = in(RunState.RoundTrain);
        TreasuryFigures t = new TreasuryFigures(100_000_000, 1_000_000_000, 0, 600_000_000);
        String tokens = Diagnose.diagnose(Diagnose.Facts.builder().setInstance(s).setNow(SOON).optTreasury(t)
                .optUnits(psyche.display.TokenUnits.ofMint(6)).build()).find("TREASURY_UNDERFUNDED").orElseThrow().evidence();
        assertEquals("1,000 tokens unclaimed but only 100 tokens funded (missing 900 tokens)", tokens);
        String nat = Diagnose.diagnose(Diagnose.Facts.builder().setInstance(s).setNow(SOON).optTreasury(t)
                .optUnits(psyche.display.TokenUnits.NATIVE).build()).find("TREASURY_UNDERFUNDED").orElseThrow().evidence();
        assertTrue(nat.contains("missing 900,000,000 native units"), nat);
        String low = Diagnose.diagnose(Diagnose.Facts.builder().setInstance(s).setNow(SOON)
                .optTreasury(new TreasuryFigures(2_000_000_000, 1_000_000_000, 0, 600_000_000))
                .optUnits(psyche.display.TokenUnits.ofMint(6)).build()).find("TREASURY_LOW").orElseThrow().evidence();
        assertEquals("surplus 1,000 tokens covers 1.7 epochs at 600 tokens per epoch", low);
    }

    @Test
    void healthyTrainingRunHasNoProblemsAndRendersAsTable() {
        Diagnosis d = run(in(RunState.RoundTrain), SOON);
        assertTrue(d.healthy(), d.toString());
        assertEquals(5, d.toTable().columnCount());
    }
}
