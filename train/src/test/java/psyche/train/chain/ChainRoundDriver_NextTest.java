package psyche.train.chain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.Psyche;
import psyche.Run;
import psyche.client.ChainClient;
import psyche.client.ChainClients;
import psyche.coordinator.BatchId;
import psyche.coordinator.Coordinator;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.DataAssignment;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.RunState;
import psyche.sim.LogicalClock;
import psyche.train.RoundDriver;
import psyche.train.TrainingException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A chain session pulls its rounds: {@link ChainRoundDriver#next} steps the clients until the coordinator shows a round
 * to train and returns that step with each trainer's batch, before the clients act on that read; on a run that
 * stands still it fails with an error that says where the run stands, after the round timeout.
 */
class ChainRoundDriver_NextTest {
    static final Path CONFIG = Path.of("../notebooks/configs/tiny.toml");

    static ChainRoundDriver.Settings settings(Duration roundTimeout, Runnable atCooldown) {
        return new ChainRoundDriver.Settings(0, 0, Duration.ofMinutes(5), roundTimeout,
                () -> false, atCooldown);
    }

    @Test void nextReturnsTheCoordinatorsStepAndEachTrainersBatchBeforeTheClientsActOnIt(@TempDir Path tmp) {
        LogicalClock clock = new LogicalClock();
        try (Psyche local = Psyche.localReproducible(tmp.resolve("ledger"), tmp.resolve("owner.json"), 42, clock)) {
            local.authorize(null);
            Run run = local.createRun("pulled").updateConfig(CONFIG).resume();
            HeardResults heard = new HeardResults();
            // what the clients consulted before acting: the reads they acted on
            List<CoordinatorState> actedOn = new CopyOnWriteArrayList<>();
            ChainClients.Participation recording = new ChainClients.Participation() {
                @Override public boolean heard(ChainClient by, NodeIdentity peer) { return heard.heard(by, peer); }

                @Override public Optional<byte[]> commitmentOf(ChainClient by, NodeIdentity peer, long height) {
                    return heard.commitmentOf(by, peer, height);
                }

                @Override public boolean readyToWitness(ChainClient client, InstanceState state) {
                    actedOn.add(state.coordinator());
                    return heard.readyToWitness(client, state);
                }
            };
            try (ChainClients clients = ChainClients.builder(run.cluster().rpc(), run.id()).optReliable(2)
                    .optLogicalClock(clock).optKeySeed(42).optParticipation(recording).build()) {
                ChainRoundDriver driver = new ChainRoundDriver(clients, heard,
                        settings(Duration.ofMinutes(10), () -> { }));
                long stepsBefore = clients.steps();
                RoundDriver.Round round = driver.next(0).orElseThrow();

                // the clients joined, warmed up and ticked into RoundTrain on their own steps, pulled by next()
                assertTrue(clients.steps() > stepsBefore, "next() stepped the clients");
                CoordinatorState seen = driver.state().coordinator();
                assertEquals(RunState.RoundTrain, seen.runState());
                assertEquals(seen.progress().step(), round.step());
                assertEquals(1, round.step(), "a fresh run's first round");
                psyche.coordinator.Round current = Coordinator.currentRound(seen);
                assertEquals(current.dataIndex(), round.dataIndex());
                assertEquals(Coordinator.targetGlobalBatchSize(seen, current), round.batchSize());
                Map<NodeIdentity, BatchId> assignment = DataAssignment.byTrainer(seen);
                assertEquals(2, round.batches().size());
                long sequences = 0;
                for (int i = 0; i < 2; i++) {
                    ChainClient c = clients.clients().get(i);
                    BatchId mine = round.batches().get(i);
                    assertNotNull(mine, c.name() + " has a batch in a round of two trainers");
                    assertEquals(assignment.get(c.identity()), mine, c.name() + "'s batch is the coordinator's for it");
                    sequences += mine.end() - mine.start() + 1;
                }
                assertEquals(round.batchSize(), sequences, "the two batches make the global batch");

                // no client has acted on a read of that round yet: it is the trainer's turn
                assertTrue(actedOn.stream().noneMatch(s -> s.runState() == RunState.RoundTrain),
                        () -> "the clients acted on " + actedOn.stream().map(s -> s.runState() + "@" + s.progress().step()).toList());
                CoordinatorState chain = clients.readAccount().state().coordinator();
                assertEquals(RunState.RoundTrain, chain.runState());
                assertEquals(round.step(), chain.progress().step());

                // handing the (here empty) results over lets them act on it, and steps on until the round is settled
                int before = actedOn.size();
                List<Float> noLoss = java.util.Arrays.asList(Float.NaN, Float.NaN);
                List<psyche.train.TrainingStep.Outcome> none = java.util.Arrays.asList(null, null);
                Optional<RoundDriver.Consensus> settled = driver.consensus(round.step(),
                        new psyche.train.RoundTrainer.Trained(noLoss, none, 0, 0, 0, 0, 0, 0), null);
                CoordinatorState first = actedOn.get(before);
                assertEquals(RunState.RoundTrain, first.runState(), "the clients acted on the very read next() returned");
                assertEquals(round.step(), first.progress().step());
                assertTrue(settled.isPresent(), "the round was settled");
                assertTrue(settled.get().results().isEmpty(), "nobody published: nothing to apply");
                CoordinatorState after = driver.state().coordinator();
                assertTrue(after.progress().step() > round.step() || after.runState() != RunState.RoundTrain
                        && after.runState() != RunState.RoundWitness, "settled once the round was over: " + after.runState());
            }
        }
    }

    @Test void aRunThatStandsStillFailsTheWaitWithWhereItStands(@TempDir Path tmp) {
        try (Psyche local = Psyche.local(0, tmp.resolve("ledger"), tmp.resolve("owner.json"))) {
            local.authorize(null);
            Run run = local.createRun("stalled").updateConfig(CONFIG); // configured, never resumed: it stays paused
            HeardResults heard = new HeardResults();
            try (ChainClients clients = ChainClients.builder(run.cluster().rpc(), run.id()).optReliable(1)
                    .optStepInterval(Duration.ofMillis(100)).optParticipation(heard).build()) {
                ChainRoundDriver driver = new ChainRoundDriver(clients, heard,
                        settings(Duration.ofSeconds(2), () -> { }));
                long t0 = System.nanoTime();
                TrainingException e = assertThrows(TrainingException.class, () -> driver.next(0));
                double waited = (System.nanoTime() - t0) / 1e9;
                assertTrue(waited >= 2 && waited < 30, "bounded by the round timeout, waited " + waited + " s");
                String m = e.getMessage();
                System.out.println("round timeout: " + m);
                assertTrue(m.contains("'stalled'") && m.contains(driver.state().coordinator().runState().toString())
                        && m.contains("at step 0") && m.contains("round timeout") && m.contains("optRoundTimeout"), m);
                assertEquals(Optional.empty(), Optional.ofNullable(heard.round()), "nothing was trained or held");
            }
        }
    }
}
