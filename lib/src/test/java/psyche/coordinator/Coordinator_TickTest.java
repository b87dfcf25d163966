package psyche.coordinator;

import org.junit.jupiter.api.Test;
import psyche.config.Checkpoint;
import psyche.config.HubRepo;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static psyche.coordinator.Fixtures.*;

class Coordinator_TickTest {
    @Test void haltedStatesRefuseTicks() {
        CoordinatorState u = CoordinatorState.uninitialized("r");
        assertEquals(CoordinatorError.Halted, assertThrows(CoordinatorException.class, () -> Coordinator.tick(u, null, T0, 1)).error());
        CoordinatorState paused = Coordinator.pause(waiting(config()), T0 + 1);
        assertThrows(CoordinatorException.class, () -> Coordinator.tick(paused, null, T0 + 2, 1));
    }

    @Test void waitingForMembersNeedsPendingClientsAndExtraTime() {
        CoordinatorState w = waiting(config());
        assertSame(RunState.WaitingForMembers, Coordinator.tick(w, null, T0 + 100, 1).state().runState());
        assertSame(RunState.WaitingForMembers, Coordinator.tick(w, ids(1), T0 + 100, 1).state().runState()); // < init_min
        assertSame(RunState.WaitingForMembers, Coordinator.tick(w, ids(2), T0 + 2, 1).state().runState()); // extra time 3
        assertSame(RunState.WaitingForMembers, Coordinator.tick(w, ids(2), T0, 1).state().runState()); // now == start
        CoordinatorState warm = Coordinator.tick(w, ids(3), T0 + 3, 1).state();
        assertEquals(RunState.Warmup, warm.runState());
        assertEquals(3, warm.epochState().clients().size());
        assertTrue(warm.epochState().firstRound());
        assertEquals(T0 + 3, warm.epochState().startTimestamp());
        assertEquals(1, warm.epochState().startStep());
        assertEquals(T0 + 3, warm.runStateStartUnixTimestamp());
    }

    @Test void warmupTimeoutStartsTheFirstRound() {
        CoordinatorState warm = warmup(waiting(config()), 3);
        assertEquals(RunState.Warmup, Coordinator.tick(warm, null, T0 + 12, 9).state().runState());
        TickResult r = Coordinator.tick(warm, null, T0 + 13, 9);
        assertEquals(RunState.RoundTrain, r.state().runState());
        Round round = Coordinator.currentRound(r.state());
        assertEquals(0, round.height());
        assertEquals(9, round.randomSeed());
        assertEquals(3, round.clientsLen());
        assertEquals(0, round.dataIndex());
        assertTrue(Coordinator.isTrainingJustStarting(r.state()));
    }

    @Test void warmupBelowMinClientsEndsTheEpochUnsuccessfully() {
        CoordinatorState warm = warmup(waiting(config()), 2);
        warm = Coordinator.withdraw(warm, 0);
        TickResult r = Coordinator.tick(warm, null, T0 + 4, 9);
        assertEquals(TickResult.Event.EPOCH_END_FAILURE, r.event());
        assertEquals(RunState.WaitingForMembers, r.state().runState());
        assertEquals(1, r.state().epochState().clients().size());
        assertEquals(1, r.state().epochState().exitedClients().size());
        assertEquals(0, r.state().epochState().exitedClients().get(0).exitedHeight());
    }

    @Test void warmupWitnessesStartTrainingEarly() {
        CoordinatorState warm = warmup(waiting(config()), 2);
        List<NodeIdentity> all = ids(2);
        CoordinatorState one = Coordinator.warmupWitness(warm, id(0), witness(new WitnessProof(0, 0, true), all), T0 + 5, 4);
        assertEquals(RunState.Warmup, one.runState());
        CoordinatorException dup = assertThrows(CoordinatorException.class,
                () -> Coordinator.warmupWitness(one, id(0), witness(new WitnessProof(0, 0, true), all), T0 + 5, 4));
        assertEquals(CoordinatorError.DuplicateWitness, dup.error());
        CoordinatorState two = Coordinator.warmupWitness(one, id(1), witness(new WitnessProof(0, 1, true), all), T0 + 6, 4);
        assertEquals(RunState.RoundTrain, two.runState());
        assertEquals(T0 + 6, two.runStateStartUnixTimestamp());
        // late warmup witnesses are ignored once training started
        assertSame(two, Coordinator.warmupWitness(two, id(0), witness(new WitnessProof(0, 0, true), all), T0 + 6, 4));
        // and refused elsewhere
        assertEquals(CoordinatorError.InvalidRunState, assertThrows(CoordinatorException.class,
                () -> Coordinator.warmupWitness(waiting(config()), id(0), witness(new WitnessProof(0, 0, true), all), T0, 4)).error());
        assertEquals(CoordinatorError.InvalidWitness, assertThrows(CoordinatorException.class,
                () -> Coordinator.warmupWitness(one, id(1), witness(new WitnessProof(0, 7, true), all), T0, 4)).error());
    }

    static CoordinatorState training(int n) {
        CoordinatorState warm = warmup(waiting(config()), n);
        return Coordinator.tick(warm, null, T0 + 13, 9).state();
    }

    @Test void roundTrainTimesOutIntoWitness() {
        CoordinatorState t = training(3);
        assertEquals(RunState.RoundTrain, Coordinator.tick(t, null, T0 + 18, 1).state().runState());
        CoordinatorState w = Coordinator.tick(t, null, T0 + 19, 1).state();
        assertEquals(RunState.RoundWitness, w.runState());
    }

    @Test void allWitnessesMoveToWitnessAtOnce() {
        CoordinatorState t = training(3);
        CoordinatorState w = witnessAll(t, T0 + 15);
        assertEquals(RunState.RoundWitness, w.runState());
        assertEquals(T0 + 15, w.runStateStartUnixTimestamp());
        assertEquals(3, Coordinator.currentRound(w).witnesses().size());
    }

    @Test void witnessTimeoutAdvancesStepAndStartsTheNextRound() {
        CoordinatorState w = witnessAll(training(3), T0 + 15);
        CoordinatorState next = Coordinator.tick(w, null, T0 + 16, 33).state();
        assertEquals(RunState.RoundTrain, next.runState());
        assertEquals(2, next.progress().step());
        assertFalse(next.epochState().firstRound());
        assertEquals(1, next.epochState().roundsHead());
        Round r = Coordinator.currentRound(next);
        assertEquals(1, r.height());
        assertEquals(8, r.dataIndex());
        assertEquals(33, r.randomSeed());
        assertNotNull(Coordinator.previousRound(next));
        assertNull(Coordinator.previousRound(w));
        assertNull(Coordinator.previousPreviousRound(w));
        // Quirk: at head 1 the "previous previous" round is ring slot 3, an unused zeroed round
        assertEquals(Round.empty(), Coordinator.previousPreviousRound(next));
    }

    @Test void noWitnessesWithdrawsEveryoneIntoCooldown() {
        CoordinatorState t = training(3);
        CoordinatorState w = Coordinator.tick(t, null, T0 + 19, 1).state();
        CoordinatorState c = Coordinator.tick(w, null, T0 + 20, 1).state();
        assertEquals(RunState.Cooldown, c.runState());
        assertEquals(2, c.progress().step());
        assertTrue(c.epochState().clients().stream().allMatch(x -> x.state() == ClientState.Withdrawn));
    }

    @Test void epochTimeoutDrainsTwoRoundsThenCoolsDown() {
        CoordinatorState s = training(2);
        long now = T0 + 13;
        int rounds = 0;
        while (s.runState() != RunState.Cooldown && rounds < 100) {
            now += 1;
            s = witnessAll(s, now);
            now += 1;
            s = Coordinator.tick(s, null, now, rounds).state();
            rounds++;
        }
        assertEquals(RunState.Cooldown, s.runState());
        // epoch starts at T0+3, times out at T0+63; each round takes 2 s from T0+13
        long last = s.epochState().lastStep();
        assertTrue(last >= 4);
        assertEquals(last, s.progress().step());
        assertTrue(now >= T0 + 63);
        CoordinatorState after = s;
        TickResult end = Coordinator.tick(after, null, now + 5, 1);
        assertEquals(TickResult.Event.EPOCH_END_SUCCESS, end.event());
        assertEquals(RunState.WaitingForMembers, end.state().runState());
        assertEquals(1, end.state().progress().epoch());
        Round cur = Coordinator.currentRound(after);
        assertEquals(cur.dataIndex() + 8, end.state().progress().epochStartDataIndex());
        assertInstanceOf(Checkpoint.P2P.class, end.state().model().checkpoint());
        assertFalse(end.state().epochState().coldStartEpoch());
    }

    @Test void totalStepsFinishesTheRun() {
        CoordinatorState s = Coordinator.tick(warmup(waiting(config(3, 2, 0)), 2), null, T0 + 13, 9).state();
        long now = T0 + 13;
        for (int i = 0; i < 10 && s.runState() != RunState.Cooldown; i++) {
            s = witnessAll(s, ++now);
            s = Coordinator.tick(s, null, ++now, i).state();
        }
        assertEquals(3, s.progress().step());
        assertEquals(RunState.Cooldown, s.runState());
        TickResult end = Coordinator.tick(s, null, now + 5, 1);
        assertEquals(RunState.Finished, end.state().runState());
        assertEquals(CoordinatorError.Halted,
                assertThrows(CoordinatorException.class, () -> Coordinator.tick(end.state(), null, T0 + 999, 1)).error());
    }

    @Test void cooldownWaitsForItsTimeout() {
        CoordinatorState w = Coordinator.tick(training(3), null, T0 + 19, 1).state();
        CoordinatorState c = Coordinator.tick(w, null, T0 + 20, 1).state();
        assertEquals(TickResult.Event.TICKED, Coordinator.tick(c, null, T0 + 24, 1).event());
        assertEquals(TickResult.Event.EPOCH_END_SUCCESS, Coordinator.tick(c, null, T0 + 25, 1).event());
    }

    @Test void newEpochWithoutPreviousPeersFallsBackFromP2PToHub() {
        CoordinatorState w = Coordinator.tick(training(2), null, T0 + 19, 1).state();
        CoordinatorState c = Coordinator.tick(w, null, T0 + 20, 1).state();
        CoordinatorState waiting = Coordinator.tick(c, null, T0 + 25, 1).state();
        assertInstanceOf(Checkpoint.P2P.class, waiting.model().checkpoint());
        List<NodeIdentity> strangers = List.of(id(50), id(51));
        CoordinatorState fresh = Coordinator.tick(waiting, strangers, T0 + 28, 1).state();
        assertEquals(new Checkpoint.Hub(HubRepo.of("org/model")), fresh.model().checkpoint());
        // Quirk: the round had no witnesses, so everyone was withdrawn and moved out: even a returning client
        // counts as "all previous clients gone"
        CoordinatorState back = Coordinator.tick(waiting, List.of(id(0), id(50)), T0 + 28, 1).state();
        assertInstanceOf(Checkpoint.Hub.class, back.model().checkpoint());
        EpochState e = waiting.epochState();
        CoordinatorState withPeers = new CoordinatorState(waiting.runId(), waiting.runState(), waiting.model(),
                waiting.config(), waiting.progress(), new EpochState(e.rounds(), List.of(Client.healthy(id(0))),
                List.of(), e.roundsHead(), e.startStep(), e.lastStep(), e.startTimestamp(), e.firstRound(),
                e.coldStartEpoch()), waiting.runStateStartUnixTimestamp(), false);
        CoordinatorState kept = Coordinator.tick(withPeers, List.of(id(0), id(50)), T0 + 28, 1).state();
        assertInstanceOf(Checkpoint.P2P.class, kept.model().checkpoint());
    }

    @Test void tooFewClientsAtWitnessTimeoutCoolsDown() {
        CoordinatorState t = training(3);
        t = Coordinator.withdraw(Coordinator.withdraw(t, 1), 2);
        CoordinatorState w = Coordinator.witness(t, id(0), witness(Coordinator.selection(t, Coordinator.currentRound(t)).witnessProof(0), ids(3)), T0 + 14);
        w = Coordinator.tick(w, null, T0 + 19, 1).state();
        assertEquals(RunState.RoundWitness, w.runState());
        CoordinatorState c = Coordinator.tick(w, null, T0 + 20, 1).state();
        assertEquals(RunState.Cooldown, c.runState());
        assertEquals(1, c.epochState().clients().size());
        assertEquals(2, c.epochState().exitedClients().size());
        assertEquals(0, c.epochState().exitedClients().get(0).exitedHeight());
        assertTrue(Coordinator.currentRound(c).witnesses().isEmpty(), "witnesses are cleared entering cooldown");
    }

    @Test void belowQuorumCoolsDown() {
        CoordinatorState t = Coordinator.tick(warmup(waiting(config(100, 3, 3)), 3), null, T0 + 13, 9).state();
        CommitteeSelection sel = Coordinator.selection(t, Coordinator.currentRound(t));
        int w = -1;
        for (int i = 0; i < 3 && w < 0; i++) if (sel.witnessProof(i).witness()) w = i;
        CoordinatorState one = Coordinator.witness(t, id(w), witness(sel.witnessProof(w), ids(3)), T0 + 14);
        CoordinatorState rw = Coordinator.tick(one, null, T0 + 19, 1).state();
        CoordinatorState c = Coordinator.tick(rw, null, T0 + 20, 1).state();
        assertEquals(2, Coordinator.witnessQuorum(c.config(), 1));
        assertEquals(RunState.Cooldown, c.runState());
        assertEquals(ClientState.Healthy, c.epochState().clients().get(0).state(), "quorum failure withdraws nobody");
    }

    @Test void roundsFillTheRingAndAdvanceTheDataIndexWithTheRamp() {
        var ramp = new psyche.config.CoordinatorConfig(10, 5, 6, 1, 100, 600, 100, 2, 2, 0, 2, 10, 0, 3);
        CoordinatorState s = Coordinator.tick(warmup(waiting(ramp), 2), null, T0 + 13, 9).state();
        long now = T0 + 13;
        long expectedIndex = 0;
        for (int round = 0; round < 6; round++) {
            Round r = Coordinator.currentRound(s);
            assertEquals(round % 4, s.epochState().roundsHead());
            assertEquals(round, r.height());
            assertEquals(expectedIndex, r.dataIndex());
            expectedIndex += ramp.globalBatchSize(r.dataIndex() * s.model().maxSeqLen());
            s = witnessAll(s, ++now);
            s = Coordinator.tick(s, null, ++now, round).state();
        }
        assertEquals(7, s.progress().step());
        // tokens 0 → 2 sequences, then the ramp grows the batch towards 10 by 100 tokens (16 tokens per sequence)
        assertEquals(2, ramp.globalBatchSize(0));
        assertEquals(10, ramp.globalBatchSize(100));
    }

    @Test void epochEndedFlag() {
        assertFalse(new TickResult(waiting(config()), TickResult.Event.TICKED).epochEnded());
        assertTrue(new TickResult(waiting(config()), TickResult.Event.EPOCH_END_FAILURE).epochEnded());
    }
}
