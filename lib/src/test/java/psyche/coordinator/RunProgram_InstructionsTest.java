package psyche.coordinator;

import org.junit.jupiter.api.Test;
import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.Optimizer;
import psyche.config.RunMetadata;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static psyche.coordinator.Fixtures.*;

class RunProgram_InstructionsTest {
    private static ProgramError err(Runnable r) {
        return assertThrows(ProgramException.class, r::run).error();
    }

    @Test void errorCodesFollowProgramErrorRs() {
        assertEquals(6000, ProgramError.UpdateConfigFinished.code());
        assertEquals(6003, ProgramError.ClientsFull.code());
        assertEquals(6008, ProgramError.SignerMismatch.code());
        assertEquals(6010, ProgramError.CoordinatorErrorNoActiveRound.code());
        assertEquals(6016, ProgramError.CoordinatorErrorInvalidCheckpoint.code());
        assertEquals(6021, ProgramError.CoordinatorErrorInvalidCommitteeProof.code());
        assertEquals(6022, ProgramError.MoreClientsThanBatches.code());
        assertEquals(6023, ProgramError.RunIdInvalidLength.code());
        for (CoordinatorError e : CoordinatorError.values()) {
            assertEquals(e.programCode(), ProgramError.of(e).code());
            assertTrue(ProgramError.of(e).name().endsWith(e.name()));
        }
        assertEquals(ProgramError.SignerNotAClient, ProgramError.fromCode(6007));
        assertNull(ProgramError.fromCode(7000));
        ProgramException ex = new ProgramException(ProgramError.ClientsFull, "x");
        assertTrue(ex.getMessage().contains("6003") && ex.getMessage().contains("256"));
    }

    @Test void createChecksRunIdLength() {
        assertEquals(ProgramError.RunIdInvalidLength, err(() -> RunProgram.create("x".repeat(33), "v")));
        assertEquals(RunState.Uninitialized, RunProgram.create("x".repeat(32), "v").coordinator().runState());
    }

    @Test void unpauseFromUninitializedChecksThenStartsAtStepOne() {
        InstanceState s = RunProgram.create("r", "v");
        assertEquals(ProgramError.ConfigSanityCheckFailed, err(() -> RunProgram.setPaused(s, false, T0, 1)));
        InstanceState cfgOnly = RunProgram.update(s, null, config(), null, null);
        assertEquals(ProgramError.ModelSanityCheckFailed, err(() -> RunProgram.setPaused(cfgOnly, false, T0, 1)));
        InstanceState ready = RunProgram.update(cfgOnly, null, null, model(), null);
        InstanceState run = RunProgram.setPaused(ready, false, T0, 1);
        assertEquals(RunState.WaitingForMembers, run.coordinator().runState());
        assertEquals(1, run.coordinator().progress().step());
        assertEquals(1, run.clientsState().nextActive());
        // pausing never ticks; pausing a paused run is Halted
        InstanceState paused = RunProgram.setPaused(run, true, T0 + 1, 1);
        assertEquals(RunState.Paused, paused.coordinator().runState());
        assertEquals(ProgramError.CoordinatorErrorHalted, err(() -> RunProgram.setPaused(paused, true, T0 + 2, 1)));
        assertEquals(ProgramError.CoordinatorErrorCannotResume, err(() -> RunProgram.setPaused(run, false, T0 + 2, 1)));
        InstanceState resumed = RunProgram.setPaused(paused, false, T0 + 2, 1);
        assertEquals(2, resumed.clientsState().nextActive());
        InstanceState zeroStep = RunProgram.update(paused, null, null, null, new Progress(0, 5, 0));
        assertEquals(5, zeroStep.coordinator().progress().step());
    }

    @Test void updateRules() {
        InstanceState run = started(config());
        assertEquals(ProgramError.UpdateConfigNotHalted, err(() -> RunProgram.update(run, null, config(), null, null)));
        InstanceState md = RunProgram.update(run, new RunMetadata("n", "d", 5, 6), null, null, null);
        assertEquals("n", md.metadata().name());
        InstanceState paused = RunProgram.setPaused(run, true, T0 + 1, 1);
        CoordinatorConfig bad = new CoordinatorConfig(60, 5, 6, 1, 0, 60, 100, 2, 2, 0, 8, 8, 0, 3);
        assertEquals(ProgramError.ConfigSanityCheckFailed, err(() -> RunProgram.update(paused, null, bad, null, null)));
        LlmModel dummyOpt = new LlmModel(16, 0, model().architecture(), model().checkpoint(), model().dataType(),
                model().dataLocation(), model().lrSchedule(), new Optimizer.Dummy());
        assertEquals(ProgramError.ModelSanityCheckFailed, err(() -> RunProgram.update(paused, null, null, dummyOpt, null)));
        // Quirk: a bad progress reports ModelSanityCheckFailed
        assertEquals(ProgramError.ModelSanityCheckFailed, err(() -> RunProgram.update(paused, null, null, null, new Progress(0, 0, 0))));
        InstanceState finished = RunProgram.withCoordinator(paused, Coordinator.with(paused.coordinator(), RunState.Finished));
        assertEquals(ProgramError.UpdateConfigFinished, err(() -> RunProgram.update(finished, null, null, null, null)));
        assertEquals("v2", RunProgram.updateClientVersion(paused, "v2").clientVersion());
        assertEquals(ProgramError.UpdateConfigNotHalted, err(() -> RunProgram.updateClientVersion(run, "v2")));
        assertThrows(IllegalArgumentException.class, () -> RunProgram.updateClientVersion(paused, "x".repeat(97)));
    }

    @Test void joinRules() {
        InstanceState run = started(config(100, 2, 0));
        assertEquals(ProgramError.SignerMismatch, err(() -> RunProgram.join(run, id(1).signer(), id(0), T0, 1)));
        InstanceState one = RunProgram.join(run, id(0).signer(), id(0), T0, 1);
        assertEquals(1, one.clientsState().clients().size());
        assertEquals(1, one.clientsState().clients().get(0).active());
        // re-join refreshes the p2p identity, no new entry
        NodeIdentity newP2p = new NodeIdentity(id(0).signer(), id(77).p2pIdentity());
        InstanceState again = RunProgram.join(one, id(0).signer(), newP2p, T0, 1);
        assertEquals(1, again.clientsState().clients().size());
        assertEquals(id(77).p2pIdentity(), again.clientsState().clients().get(0).id().p2pIdentity());
        // gbs_end 8 ⇒ at most 8 registered
        InstanceState s = run;
        for (int i = 0; i < 8; i++) s = RunProgram.join(s, id(i).signer(), id(i), T0, 1);
        InstanceState full = s;
        assertEquals(ProgramError.MoreClientsThanBatches, err(() -> RunProgram.join(full, id(8).signer(), id(8), T0, 1)));
        assertEquals(8, RunProgram.pendingClients(full.clientsState()).size());
    }

    @Test void clientsFullAt256() {
        CoordinatorConfig big = new CoordinatorConfig(10, 5, 6, 1, 0, 60, 100, 300 > 256 ? 2 : 2, 2, 0, 8, 1000, 0, 3);
        InstanceState s = started(big);
        // join while paused (no ticks) to fill quickly
        s = RunProgram.setPaused(s, true, T0 + 1, 1);
        for (int i = 0; i < 256; i++) s = RunProgram.join(s, id(i).signer(), id(i), T0 + 1, 1);
        InstanceState full = s;
        assertEquals(ProgramError.ClientsFull, err(() -> RunProgram.join(full, id(300).signer(), id(300), T0 + 1, 1)));
    }

    @Test void nextActiveAdvancesAtTheFirstTrainingTickAndRatesAtWarmup() {
        InstanceState s = started(config());
        s = RunProgram.setFutureEpochRates(s, 1000L, 7L);
        assertEquals(Rates.ZERO, s.clientsState().currentEpochRates());
        for (int i = 0; i < 3; i++) s = RunProgram.join(s, id(i).signer(), id(i), T0 + 1, 1);
        s = RunProgram.tick(s, T0 + 3, 1);
        assertEquals(RunState.Warmup, s.coordinator().runState());
        assertEquals(new Rates(1000, 7), s.clientsState().currentEpochRates());
        assertFalse(s.isWarmupFirstTick());
        assertEquals(1, s.clientsState().nextActive());
        // a late joiner during warmup waits for the next epoch
        s = RunProgram.join(s, id(9).signer(), id(9), T0 + 4, 1);
        assertEquals(3, s.coordinator().epochState().clients().size());
        s = RunProgram.tick(s, T0 + 13, 1);
        assertEquals(RunState.RoundTrain, s.coordinator().runState());
        assertEquals(2, s.clientsState().nextActive());
        assertFalse(s.isTrainingFirstTick());
        s = RunProgram.tick(s, T0 + 14, 1);
        assertEquals(2, s.clientsState().nextActive());
        s = RunProgram.setFutureEpochRates(s, null, 9L);
        assertEquals(new Rates(1000, 9), s.clientsState().futureEpochRates());
    }

    @Test void rewardsAreSharedAmongHealthyFinishers() {
        InstanceState s = started(config());
        s = RunProgram.setFutureEpochRates(s, 1000L, 0L);
        for (int i = 0; i < 3; i++) s = RunProgram.join(s, id(i).signer(), id(i), T0 + 1, 1);
        s = RunProgram.tick(s, T0 + 3, 1);
        s = RunProgram.tick(s, T0 + 13, 1);
        long now = T0 + 13;
        for (int i = 0; i < 200 && s.coordinator().runState() != RunState.WaitingForMembers; i++) {
            now++;
            if (s.coordinator().runState() == RunState.RoundTrain) {
                CoordinatorState c = Fixtures.witnessAll(s.coordinator(), now);
                s = RunProgram.withCoordinator(s, c);
            }
            s = RunProgram.tick(s, now, now);
        }
        assertEquals(1, s.coordinator().progress().epoch());
        for (SolanaClient c : s.clientsState().clients()) assertEquals(333, c.earned()); // 1000 / 3
    }

    @Test void distributionCountsUnhealthyInTheDivisorAndSlashesEjected() {
        List<SolanaClient> reg = List.of(new SolanaClient(id(0), 0, 0, 1), new SolanaClient(id(1), 0, 0, 1),
                new SolanaClient(id(2), 0, 0, 1));
        ClientsState cs = new ClientsState(reg, 2, new Rates(100, 5), Rates.ZERO);
        EpochState e = new EpochState(EpochState.zeroed().rounds(),
                List.of(Client.healthy(id(0)), new Client(id(1), ClientState.Withdrawn, 0)),
                List.of(new Client(id(2), ClientState.Ejected, 3)), 0, 0, 0, 0, false, false);
        ClientsState out = RunProgram.distributeEpochRewards(cs, e);
        assertEquals(50, out.clients().get(0).earned());
        assertEquals(0, out.clients().get(1).earned());
        assertEquals(5, out.clients().get(2).slashed());
    }

    @Test void permissionlessInstructionsNeedARegisteredSigner() {
        InstanceState run = started(config());
        Witness w = witness(new WitnessProof(0, 0, true), List.of());
        assertEquals(ProgramError.SignerNotAClient, err(() -> RunProgram.witness(run, id(0).signer(), w, T0, 1)));
        assertEquals(ProgramError.SignerNotAClient, err(() -> RunProgram.warmupWitness(run, id(0).signer(), w, T0, 1)));
        assertEquals(ProgramError.SignerNotAClient, err(() -> RunProgram.healthCheck(run, id(0).signer(),
                new HealthCheck(id(1), new CommitteeProof(Committee.Trainer, 0, 0)), T0, 1)));
        Checkpoint hub = new Checkpoint.Hub(HubRepo.of("a/b"));
        assertEquals(ProgramError.SignerNotAClient, err(() -> RunProgram.checkpoint(run, id(0).signer(), hub, T0, 1)));
        InstanceState joined = RunProgram.join(run, id(0).signer(), id(0), T0, 1);
        // registered but not an epoch client
        assertEquals(ProgramError.SignerNotAClient, err(() -> RunProgram.checkpoint(joined, id(0).signer(), hub, T0, 1)));
        // engine errors map to 6010+
        assertEquals(ProgramError.CoordinatorErrorInvalidRunState, err(() -> RunProgram.witness(joined, id(0).signer(), w, T0, 1)));
        InstanceState halted = RunProgram.setPaused(joined, true, T0 + 1, 1);
        assertEquals(ProgramError.CoordinatorErrorHalted, err(() -> RunProgram.tick(halted, T0 + 2, 1)));
    }

    @Test void checkpointFromAnEpochClientWhileHaltedDoesNotTick() {
        InstanceState s = started(config());
        for (int i = 0; i < 2; i++) s = RunProgram.join(s, id(i).signer(), id(i), T0 + 1, 1);
        s = RunProgram.tick(s, T0 + 3, 1);
        assertEquals(RunState.Warmup, s.coordinator().runState());
        InstanceState cp = RunProgram.checkpoint(s, id(1).signer(), new Checkpoint.Hub(HubRepo.of("new/repo")), T0 + 4, 1);
        assertEquals(new Checkpoint.Hub(HubRepo.of("new/repo")), cp.coordinator().model().checkpoint());
        InstanceState paused = RunProgram.setPaused(s, true, T0 + 5, 1);
        InstanceState cpPaused = RunProgram.checkpoint(paused, id(0).signer(), new Checkpoint.Hub(HubRepo.of("x/y")), T0 + 6, 1);
        assertEquals(RunState.Paused, cpPaused.coordinator().runState());
        assertEquals(new Checkpoint.Hub(HubRepo.of("x/y")), cpPaused.coordinator().model().checkpoint());
    }
}
