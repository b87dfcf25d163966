package psyche.train.chain;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.Psyche;
import psyche.Run;
import psyche.coordinator.Client;
import psyche.coordinator.ClientState;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.RunState;
import psyche.config.LrSchedule;
import psyche.train.distro.CompressedTensor;
import psyche.train.distro.DistroResult;
import psyche.train.LlamaModel;
import psyche.train.Safetensors;
import psyche.train.StepReport;
import psyche.train.Training;
import psyche.train.TrainingException;
import psyche.train.TrainingListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real training clients on a local chain (own ledger, free loopback port): a run from the tiny config with short
 * timeouts is created and resumed, and sessions of 2–3 clients join it over JSON-RPC and train.
 */
class ChainTraining_RunTest {
    static final Path DATA = Path.of("../datasets/tiny/train.bin");
    /** tiny.toml's schedule: Cosine base 1e-3, warmup 10 from 0, final 1e-4 at 200. */
    static final LrSchedule LR = new LrSchedule.Cosine(1.0e-3, 0.0, 1.0e-4, 10, 200);
    @TempDir static Path tmp;
    static Psyche psyche;

    @BeforeAll static void startChain() {
        psyche = Psyche.local(0, tmp.resolve("ledger"), tmp.resolve("owner.json"));
        psyche.authorize(null);
    }

    @AfterAll static void stopChain() {
        if (psyche != null) psyche.close();
    }

    /** tiny.toml with short timeouts and the given overrides ("key = value" lines replacing the same keys). */
    static Run run(String runId, String... overrides) throws IOException {
        String toml = Files.readString(Path.of("../notebooks/configs/tiny.toml"));
        List<String> lines = new java.util.ArrayList<>(List.of(
                "warmup_time = 3", "cooldown_time = 2", "max_round_train_time = 4", "round_witness_time = 1",
                "epoch_time = 12", "waiting_for_members_extra_time = 1"));
        lines.addAll(List.of(overrides));
        for (String line : lines) {
            String key = line.substring(0, line.indexOf('=')).trim();
            toml = toml.replaceFirst("(?m)^" + java.util.regex.Pattern.quote(key) + " = .*$", line);
        }
        Path cfg = tmp.resolve(runId + ".toml");
        Files.writeString(cfg, toml);
        return psyche.createRun(runId).updateConfig(cfg).resume();
    }

    static final class Recorder implements TrainingListener {
        final List<StepReport> steps = new CopyOnWriteArrayList<>();
        final List<Path> checkpoints = new CopyOnWriteArrayList<>();

        @Override public void onStep(StepReport r) {
            steps.add(r);
            System.out.println(r + " " + r.clientLosses());
        }

        @Override public void onCheckpoint(long step, Path dir) { checkpoints.add(dir); }
    }

    @Test void twoClientsTrainThroughAnEpochCheckpointAtCooldownAndRejoinFromIt() throws Exception {
        Run run = run("train-epoch");
        Path ckpts = tmp.resolve("ckpt-epoch");
        Recorder rec = new Recorder();
        long lastApplied;
        try (ChainTraining t = ChainTraining.builder().setRun(run).optClients(2).optDevice("cpu").optDataset(DATA)
                .optCheckpointDir(ckpts).optStepInterval(Duration.ofMillis(200)).optListener(rec).start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (rec.checkpoints.isEmpty() && t.isRunning() && System.nanoTime() < deadline) Thread.sleep(200);
            assertFalse(rec.checkpoints.isEmpty(), () -> "no Cooldown checkpoint; " + t + " state " + t.runState()
                    + " step " + t.runStep() + " errors " + t.clients().get(0).errors());
            t.stop();
            t.await(Duration.ofSeconds(10));
            lastApplied = t.appliedStep();
        }
        assertTrue(rec.steps.size() >= 2, () -> "steps " + rec.steps);
        for (StepReport r : rec.steps) {
            assertEquals(2, r.clientLosses().size());
            for (float l : r.clientLosses()) assertTrue(Float.isFinite(l), () -> "loss " + r);
            assertTrue(r.resultBytes() > 0);
        }
        // steps follow the coordinator: consecutive, from 1
        assertEquals(1, rec.steps.get(0).step());
        for (int i = 1; i < rec.steps.size(); i++) assertEquals(rec.steps.get(i - 1).step() + 1, rec.steps.get(i).step());
        Path cooldown = rec.checkpoints.get(0);
        assertTrue(cooldown.getFileName().toString().matches("train-epoch-step\\d+"), cooldown::toString);
        // the Cooldown checkpoint holds every step trained in the epoch: step-1 at Cooldown = last trained step
        assertEquals(rec.steps.get(rec.steps.size() - 1).step(), Training.stepOf(cooldown));
        assertTrue(Files.size(cooldown.resolve("model.safetensors")) > 0);
        assertTrue(Files.isRegularFile(cooldown.resolve("config.json")));
        double first = rec.steps.get(0).meanLoss();
        double last = rec.steps.get(rec.steps.size() - 1).meanLoss();
        System.out.printf("epoch: %d steps, loss %.4f -> %.4f, checkpoint %s%n", rec.steps.size(), first, last, cooldown);

        // a new session on the same checkpoint directory re-joins the run from the newest checkpoint
        Recorder rec2 = new Recorder();
        try (ChainTraining t2 = ChainTraining.builder().setRun(run).optClients(2).optDevice("cpu").optDataset(DATA)
                .optCheckpointDir(ckpts).optStepInterval(Duration.ofMillis(200)).optSteps(1).optListener(rec2).start()) {
            assertTrue(t2.await(Duration.ofSeconds(150)), t2::toString);
            assertEquals(java.util.Optional.of(cooldown), t2.startedFrom());
            assertEquals(java.util.Optional.of(ckpts.resolve("train-epoch-step" + t2.appliedStep())), t2.lastCheckpoint());
        }
        assertEquals(1, rec2.steps.size());
        assertTrue(rec2.steps.get(0).step() > lastApplied, () -> rec2.steps + " after " + lastApplied);
    }

    @Test void aSessionBoundedByOneEpochEndsByItselfAtThatEpochsCooldownWithItsCheckpoint() throws Exception {
        Run run = run("train-one-epoch");
        Path ckpts = tmp.resolve("ckpt-one-epoch");
        Recorder rec = new Recorder();
        try (ChainTraining t = ChainTraining.builder().setRun(run).optClients(2).optDevice("cpu").optDataset(DATA)
                .optCheckpointDir(ckpts).optStepInterval(Duration.ofMillis(200)).optEpochs(1).optListener(rec).start()) {
            assertTrue(t.await(Duration.ofSeconds(150)), () -> "did not end by itself: " + t + " " + t.runState());
            assertEquals(1, rec.checkpoints.size(), rec.checkpoints::toString);
            long lastTrained = rec.steps.get(rec.steps.size() - 1).step();
            assertTrue(rec.steps.size() >= 2, () -> "steps " + rec.steps);
            assertEquals(lastTrained, t.appliedStep(), "every trained round applied");
            assertEquals(java.util.Optional.of(ckpts.resolve("train-one-epoch-step" + lastTrained)), t.lastCheckpoint());
            // steps follow the coordinator from 1, all of the first epoch (the checkpoint is that epoch's Cooldown one)
            assertEquals(1, rec.steps.get(0).step());
            assertEquals(rec.steps.size(), lastTrained);
        }
        assertThrows(TrainingException.class, () -> ChainTraining.builder().optEpochs(-1));
    }

    @Test void aClientKilledMidRunIsDroppedAndTheRunGoesOnWithMinClientsAndStopKeepsACheckpoint() throws Exception {
        Run run = run("train-kill", "init_min_clients = 3", "min_clients = 2", "witness_nodes = 0", "epoch_time = 600");
        Recorder rec = new Recorder();
        Path ckpts = tmp.resolve("ckpt-kill");
        try (ChainTraining t = ChainTraining.builder().setRun(run).optClients(3).optDevice("cpu").optDataset(DATA)
                .optCheckpointDir(ckpts).optStepInterval(Duration.ofMillis(200)).optListener(rec).start()) {
            assertTrue(t.awaitSteps(2, Duration.ofSeconds(120)), () -> t + " " + t.runState());
            t.kill(2);
            int killedAt = rec.steps.size();
            var killed = t.clients().get(2).identity();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            boolean dropped = false;
            while (System.nanoTime() < deadline && (!dropped || rec.steps.size() < killedAt + 3)) {
                CoordinatorState c = run.state().coordinator();
                dropped = c.epochState().clients().stream().noneMatch(x -> x.id().equals(killed) && x.state() == ClientState.Healthy);
                assertTrue(c.runState().active() || c.runState() == RunState.Warmup, () -> "run left training: " + c.runState());
                Thread.sleep(300);
            }
            assertTrue(dropped, "the killed client is still a healthy epoch client");
            assertTrue(rec.steps.size() >= killedAt + 3, () -> "steps after the kill: " + rec.steps.subList(killedAt, rec.steps.size()));
            StepReport after = rec.steps.get(rec.steps.size() - 1);
            assertTrue(Float.isNaN(after.clientLosses().get(2)), after::toString);
            assertTrue(Float.isFinite(after.clientLosses().get(0)) && Float.isFinite(after.clientLosses().get(1)), after::toString);
            CoordinatorState c = run.state().coordinator();
            List<Client> clients = c.epochState().clients();
            assertTrue(clients.size() >= 2 && c.runState().active(), () -> c.runState() + " " + clients);

            // stop() mid-epoch (no Cooldown yet) ends cleanly and saves the last applied step
            assertTrue(rec.checkpoints.isEmpty(), rec.checkpoints::toString);
            t.stop();
            assertFalse(t.isRunning());
            long applied = t.appliedStep();
            assertTrue(applied >= killedAt + 2, () -> "applied " + applied);
            assertEquals(List.of(ckpts.resolve("train-kill-step" + applied)), rec.checkpoints);
            assertTrue(Files.isRegularFile(ckpts.resolve("train-kill-step" + applied).resolve("model.safetensors")));
        }
    }

    @Test void twoSessionsExchangeResultsOverLoopbackHttpAndApplyTheSameConsensus() throws Exception {
        Run run = run("train-http", "witness_nodes = 0", "epoch_time = 600");
        Path ckA = tmp.resolve("ckpt-http-a"), ckB = tmp.resolve("ckpt-http-b");
        // explicit peers only (discovery through a peers directory has its own test)
        try (ChainTraining a = ChainTraining.builder().setRun(run).optClients(1).optDevice("cpu").optDataset(DATA)
                .optCheckpointDir(ckA).optCheckpointDtype(Safetensors.Dtype.F32).optStepInterval(Duration.ofMillis(200)).optSteps(3).optServeResults(0)
                .optPeerDiscovery(false).build();
             ChainTraining b = ChainTraining.builder().setRun(run).optClients(1).optDevice("cpu").optDataset(DATA)
                .optCheckpointDir(ckB).optCheckpointDtype(Safetensors.Dtype.F32).optStepInterval(Duration.ofMillis(200)).optSteps(3).optServeResults(0)
                .optPeerDiscovery(false).build()) {
            a.addPeer(b.resultsUrl().orElseThrow());
            b.addPeer(a.resultsUrl().orElseThrow());
            a.start();
            b.start();
            assertTrue(a.await(Duration.ofSeconds(120)) && b.await(Duration.ofSeconds(30)), () -> a + " / " + b);
            System.out.println("http exchange: a " + a.history() + " consensus " + a.consensusSizes()
                    + "; b consensus " + b.consensusSizes());
            assertEquals(3, a.history().size());
            assertEquals(3, b.history().size());
            // every round's consensus held both sessions' results, in both sessions
            for (long step = 1; step <= 3; step++) {
                assertEquals(2, a.consensusSizes().get(step), a.consensusSizes()::toString);
                assertEquals(2, b.consensusSizes().get(step), b.consensusSizes()::toString);
            }
            // same init, same consensus: the two sessions' models agree (up to the rounding of each client's
            // look-ahead x - lr*sign(delta) + lr*sign(delta), which is not exact in f32)
            var wa = Safetensors.read(ckA.resolve("train-http-step3").resolve("model.safetensors"));
            var wb = Safetensors.read(ckB.resolve("train-http-step3").resolve("model.safetensors"));
            assertEquals(wa.keySet(), wb.keySet());
            double maxDiff = 0;
            for (String name : wa.keySet()) {
                float[] x = wa.get(name).data(), y = wb.get(name).data();
                for (int i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
            }
            System.out.println("http exchange: max weight difference between the sessions " + maxDiff);
            // one applied step moves a weight by lr = 1e-4..3e-4; disagreeing on a step would show as >= 1e-4
            assertTrue(maxDiff < 1e-5, "max weight difference " + maxDiff);
        }
    }

    static double maxWeightDifference(Path a, Path b) throws IOException {
        var wa = Safetensors.read(a.resolve("model.safetensors"));
        var wb = Safetensors.read(b.resolve("model.safetensors"));
        assertEquals(wa.keySet(), wb.keySet());
        double maxDiff = 0;
        for (String name : wa.keySet()) {
            float[] x = wa.get(name).data(), y = wb.get(name).data();
            for (int i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
        }
        return maxDiff;
    }

    /** What an equivocating peer serves: its result with every coefficient's sign flipped (still a valid result). */
    static DistroResult flipped(DistroResult r) {
        List<CompressedTensor> flipped = new java.util.ArrayList<>();
        for (CompressedTensor t : r.tensors()) {
            float[] v = t.values();
            for (int i = 0; i < v.length; i++) v[i] = -v[i];
            flipped.add(new CompressedTensor(t.xshape(), t.totalk(), t.k(), t.indices(), v, t.quantized()));
        }
        return new DistroResult(r.step(), r.trainerNonce(), r.batchStart(), r.batchEnd(), flipped);
    }

    @Test void sessionsFindEachOtherWithoutFlagsAndLeaveOutAPeerThatServesOtherBytesThanItCommittedTo() throws Exception {
        Run run = run("train-equivocate", "witness_nodes = 0", "epoch_time = 600");
        Path peers = tmp.resolve("peers-equivocate");
        Path ckA = tmp.resolve("ckpt-eq-a"), ckB = tmp.resolve("ckpt-eq-b");
        // no explicit peers: both register in one peers directory. B serves A its results with every sign flipped and
        // the commitment of those bytes, while its own witness commits to what it trained: A's witness and B's then
        // put different commitments for B's batch in their broadcast blooms (B is in both participant blooms)
        try (ChainTraining a = ChainTraining.builder().setRun(run).optClients(1).optDevice("cpu").optDataset(DATA)
                .optCheckpointDir(ckA).optCheckpointDtype(Safetensors.Dtype.F32).optStepInterval(Duration.ofMillis(200)).optSteps(3).optServeResults(0)
                .optPeersDir(peers).optPeerRefresh(Duration.ofMillis(200)).build();
             ChainTraining b = ChainTraining.builder().setRun(run).optClients(1).optDevice("cpu").optDataset(DATA)
                .optCheckpointDir(ckB).optCheckpointDtype(Safetensors.Dtype.F32).optStepInterval(Duration.ofMillis(200)).optSteps(3).optServeResults(0)
                .optPeersDir(peers).optPeerRefresh(Duration.ofMillis(200)).optServedWire(ChainTraining_RunTest::flipped).build()) {
            a.start();
            b.start();
            assertTrue(a.await(Duration.ofSeconds(120)) && b.await(Duration.ofSeconds(30)), () -> a + " / " + b);
            System.out.println("equivocation: a consensus " + a.consensusSizes() + ", b consensus " + b.consensusSizes()
                    + "; a peers " + a.peers() + ", b peers " + b.peers());
            assertEquals(List.of(b.resultsUrl().orElseThrow()), a.peers());
            assertEquals(List.of(a.resultsUrl().orElseThrow()), b.peers());
            assertEquals(3, a.history().size());
            assertEquals(3, b.history().size());
            // A's result is in both consensuses; B's, whose commitment no witness quorum holds, in neither (with the
            // participant bloom alone A would apply the flipped bytes and B its own, and the models would part)
            for (long step = 1; step <= 3; step++) {
                assertEquals(1, a.consensusSizes().get(step), a.consensusSizes()::toString);
                assertEquals(1, b.consensusSizes().get(step), b.consensusSizes()::toString);
            }
            double maxDiff = maxWeightDifference(ckA.resolve("train-equivocate-step3"), ckB.resolve("train-equivocate-step3"));
            System.out.println("equivocation: max weight difference between the sessions " + maxDiff);
            assertTrue(maxDiff < 1e-5, "max weight difference " + maxDiff);
        }
        try (var left = Files.list(peers.resolve("train-equivocate"))) {
            assertEquals(List.of(), left.toList(), "closed sessions leave no entries");
        }
    }

    @Test void afterAPauseTheColdStartEpochWarmsTheLrUpAndZeroesTheDistroState() throws Exception {
        // (epoch_time - warmup_time) / max_round_train_time = (12 - 3) / 4 = 2 rounds: the most a warmup may take
        Run run = run("train-cold", "cold_start_warmup_steps = 2");
        Recorder rec = new Recorder();
        try (ChainTraining t = ChainTraining.builder().setRun(run).optClients(2).optDevice("cpu").optDataset(DATA)
                .optStepInterval(Duration.ofMillis(200)).optListener(rec).start()) {
            assertTrue(t.awaitSteps(2, Duration.ofSeconds(120)), () -> t + " " + t.runState());
            assertFalse(run.state().coordinator().epochState().coldStartEpoch(), "a new run's first epoch is not a cold start");
            run.pause(); // while training: Cooldown at the next witness timeout, then Paused with cold_start_epoch set
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (run.state().coordinator().runState() != RunState.Paused && System.nanoTime() < deadline) Thread.sleep(200);
            assertEquals(RunState.Paused, run.state().coordinator().runState());
            int beforePause = rec.steps.size();
            for (StepReport r : rec.steps) assertEquals(LR.lr(r.step()), r.lr(), r::toString);
            assertEquals(0, t.coldStartResets());

            run.resume();
            CoordinatorState c = run.state().coordinator();
            while (c.runState() != RunState.RoundTrain && System.nanoTime() < deadline + Duration.ofSeconds(60).toNanos()) {
                Thread.sleep(100);
                c = run.state().coordinator();
            }
            assertEquals(RunState.RoundTrain, c.runState());
            assertTrue(c.epochState().coldStartEpoch());
            long start = c.epochState().startStep();
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (rec.steps.stream().noneMatch(r -> r.step() >= start + 2) && t.isRunning() && System.nanoTime() < until) {
                Thread.sleep(200);
            }
            t.stop();
            List<StepReport> after = rec.steps.subList(beforePause, rec.steps.size());
            System.out.println("cold start from step " + start + ": " + after);
            assertEquals(start, after.get(0).step(), after::toString);
            // LR x (step - start) / (end - start) on [start, start + 2], then the schedule again
            assertEquals(0.0, after.get(0).lr());
            assertEquals(LR.lr(start + 1) * 0.5, after.get(1).lr());
            assertEquals(LR.lr(start + 2), after.get(2).lr());
            for (StepReport r : after) assertTrue(Float.isFinite(r.clientLosses().get(0)), r::toString);
            assertEquals(1, t.coldStartResets(), "the DisTrO state is zeroed once, at the epoch's round height 0");
            // the clients trained in the first epoch: with the P2P checkpoint of a continued run none is warming up
            assertEquals(0, t.resultsSkippedWhileWarmingUp());
        }
    }

    @Test void aNonFiniteLossStopsTheSessionWithAClearMessage() throws Exception {
        Run run = run("train-nan", "base_lr = 1.0e300", "warmup_steps = 1");
        Recorder rec = new Recorder();
        try (ChainTraining t = ChainTraining.builder().setRun(run).optClients(2).optDevice("cpu").optDataset(DATA)
                .optStepInterval(Duration.ofMillis(200)).optListener(rec).start()) {
            TrainingException e = assertThrows(TrainingException.class, () -> t.await(Duration.ofSeconds(150)));
            assertTrue(e.getMessage().contains("loss became"), e::getMessage);
            assertTrue(e.getMessage().contains("Lower the learning rate"), e::getMessage);
            assertFalse(t.isRunning());
        }
    }

    @Test void aDivergedSessionKeepsItsLastFiniteStateAndResumesFromItWithAScaledLr() throws Exception {
        // a good state to start from: two steps, kept exactly (f32)
        Path good;
        try (ChainTraining t = ChainTraining.builder().setRun(run("train-good")).optClients(2).optDevice("cpu")
                .optDataset(DATA).optCheckpointDir(tmp.resolve("ckpt-good")).optCheckpointDtype(Safetensors.Dtype.F32)
                .optStepInterval(Duration.ofMillis(200)).optSteps(2).start()) {
            assertTrue(t.await(Duration.ofSeconds(150)), t::toString);
            good = t.lastCheckpoint().orElseThrow();
        }
        // a run whose LR overflows: the session resumed from the good state diverges, and the guard keeps that state
        Path ckpts = tmp.resolve("ckpt-boom");
        Path kept;
        try (ChainTraining t = ChainTraining.builder().setRun(run("train-boom", "base_lr = 1.0e300", "warmup_steps = 1"))
                .optClients(2).optDevice("cpu").optDataset(DATA).optResumeFrom(good).optCheckpointDir(ckpts)
                .optStepInterval(Duration.ofMillis(200)).start()) {
            TrainingException e = assertThrows(TrainingException.class, () -> t.await(Duration.ofSeconds(150)));
            String m = e.getMessage();
            kept = t.lastCheckpoint().orElseThrow();
            assertEquals(ckpts.resolve("train-boom-step" + Training.stepOf(good)), kept, m);
            assertTrue(m.startsWith("training diverged at step ") && m.contains("the loss is not finite"), m);
            assertTrue(m.contains("--resume " + kept + " --lr-scale 0.5"), m);
        }
        try (LlamaModel k = LlamaModel.load(kept, ai.djl.Device.cpu()); LlamaModel g = LlamaModel.load(good, ai.djl.Device.cpu())) {
            var gw = g.stateDict();
            for (var w : k.stateDict().entrySet()) {
                assertTrue(java.util.Arrays.equals(gw.get(w.getKey()).data(), w.getValue().data()), w.getKey());
            }
        }
        // continuing from the kept state at half the run's LR
        Recorder rec = new Recorder();
        try (ChainTraining t = ChainTraining.builder().setRun(run("train-half")).optClients(2).optDevice("cpu")
                .optDataset(DATA).optResumeFrom(kept).optLrScale(0.5).optStepInterval(Duration.ofMillis(200))
                .optSteps(2).optListener(rec).start()) {
            assertTrue(t.await(Duration.ofSeconds(150)), t::toString);
            assertEquals(java.util.Optional.of(kept), t.startedFrom());
        }
        assertEquals(2, rec.steps.size(), rec.steps::toString);
        for (StepReport r : rec.steps) {
            assertEquals(0.5 * LR.lr(r.step()), r.lr(), r::toString);
            for (float l : r.clientLosses()) assertTrue(Float.isFinite(l), r::toString);
        }
    }

    @Test void aDatasetShorterThanOneSequenceIsRefusedBeforeJoining() throws Exception {
        Run run = run("train-short");
        Path tiny = tmp.resolve("short.bin");
        Files.write(tiny, new byte[20]);
        TrainingException e = assertThrows(TrainingException.class, () -> ChainTraining.builder().setRun(run)
                .optClients(2).optDevice("cpu").optDataset(tiny).build());
        assertTrue(e.getMessage().contains("shorter than one sequence"), e::getMessage);
    }
}
