package psyche.coordinator;

import org.junit.jupiter.api.Test;
import psyche.config.Checkpoint;
import psyche.config.GcsRepo;
import psyche.config.HubRepo;

import static org.junit.jupiter.api.Assertions.*;
import static psyche.coordinator.Fixtures.*;

class Coordinator_PauseTest {
    @Test void pauseWhileWaitingPausesAtOnce() {
        CoordinatorState p = Coordinator.pause(warmup(waiting(config()), 3), T0 + 5);
        assertEquals(RunState.Paused, p.runState());
        assertTrue(p.epochState().coldStartEpoch());
        assertTrue(p.epochState().clients().stream().allMatch(c -> c.state() == ClientState.Withdrawn));
        assertEquals(CoordinatorError.Halted, assertThrows(CoordinatorException.class, () -> Coordinator.pause(p, T0 + 6)).error());
        CoordinatorState r = Coordinator.resume(p, T0 + 7);
        assertEquals(RunState.WaitingForMembers, r.runState());
        assertEquals(CoordinatorError.CannotResume, assertThrows(CoordinatorException.class, () -> Coordinator.resume(r, T0 + 8)).error());
    }

    @Test void pauseWhileActiveIsPendingUntilCooldownEnds() {
        CoordinatorState t = Coordinator_TickTest.training(3);
        CoordinatorState p = Coordinator.pause(t, T0 + 14);
        assertEquals(RunState.RoundTrain, p.runState());
        assertTrue(p.pendingPause());
        CoordinatorState w = witnessAll(p, T0 + 15);
        CoordinatorState c = Coordinator.tick(w, null, T0 + 16, 1).state();
        assertEquals(RunState.Cooldown, c.runState()); // forced by pending_pause
        TickResult end = Coordinator.tick(c, null, T0 + 21, 1);
        assertEquals(TickResult.Event.EPOCH_END_SUCCESS, end.event());
        assertEquals(RunState.Paused, end.state().runState());
        assertFalse(end.state().pendingPause());
        assertTrue(end.state().epochState().coldStartEpoch());
        assertEquals(1, end.state().progress().epoch());
    }

    @Test void resumeAtTotalStepsFinishes() {
        CoordinatorState p = Coordinator.pause(waiting(config()), T0 + 1);
        CoordinatorState atEnd = Coordinator.with(p, new Progress(0, 100, 0));
        assertEquals(RunState.Finished, Coordinator.resume(atEnd, T0 + 2).runState());
    }

    @Test void withdraw() {
        CoordinatorState warm = warmup(waiting(config()), 3);
        CoordinatorState w = Coordinator.withdraw(warm, 1);
        assertEquals(ClientState.Withdrawn, w.epochState().clients().get(1).state());
        assertEquals(ClientState.Healthy, warm.epochState().clients().get(1).state());
        assertEquals(CoordinatorError.InvalidWithdraw, assertThrows(CoordinatorException.class, () -> Coordinator.withdraw(w, 1)).error());
        assertEquals(CoordinatorError.InvalidWithdraw, assertThrows(CoordinatorException.class, () -> Coordinator.withdraw(w, 3)).error());
        assertTrue(Coordinator.withdrawAll(w).epochState().clients().stream().allMatch(c -> c.state() == ClientState.Withdrawn));
    }

    @Test void checkpointMergeRules() {
        CoordinatorState warm = warmup(waiting(config()), 2);
        HubRepo a = HubRepo.of("a/b");
        GcsRepo g = GcsRepo.of("bucket");
        Checkpoint hub = new Checkpoint.Hub(a);
        Checkpoint gcs = new Checkpoint.Gcs(g);
        assertEquals(hub, cp(warm, new Checkpoint.Hub(HubRepo.of("x")), hub));
        assertEquals(new Checkpoint.P2P(a), cp(warm, new Checkpoint.P2P(HubRepo.of("x")), hub));
        assertEquals(new Checkpoint.P2PGcs(g), cp(warm, new Checkpoint.P2PGcs(GcsRepo.of("y")), gcs));
        assertEquals(gcs, cp(warm, new Checkpoint.Gcs(GcsRepo.of("y")), gcs));
        assertEquals(new Checkpoint.P2P(a), cp(warm, new Checkpoint.P2PGcs(GcsRepo.of("y")), hub));
        assertEquals(new Checkpoint.P2PGcs(g), cp(warm, new Checkpoint.P2P(HubRepo.of("x")), gcs));
        Checkpoint hubX = new Checkpoint.Hub(HubRepo.of("x"));
        assertEquals(hubX, cp(warm, hubX, gcs)); // ignored
        assertEquals(CoordinatorError.InvalidCommitteeProof, assertThrows(CoordinatorException.class,
                () -> Coordinator.checkpoint(warm, id(1), 0, hub)).error());
        assertEquals(CoordinatorError.InvalidCommitteeProof, assertThrows(CoordinatorException.class,
                () -> Coordinator.checkpoint(warm, id(1), 5, hub)).error());
    }

    private static Checkpoint cp(CoordinatorState s, Checkpoint current, Checkpoint sent) {
        CoordinatorState with = Coordinator.with(s, s.model().withCheckpoint(current));
        return Coordinator.checkpoint(with, id(0), 0, sent).model().checkpoint();
    }
}
