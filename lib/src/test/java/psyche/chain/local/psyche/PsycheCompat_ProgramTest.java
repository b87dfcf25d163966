package psyche.chain.local.psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import psyche.chain.AccountMeta;
import psyche.chain.Borsh;
import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.rpc.TransactionFailedException;
import psyche.config.Checkpoint;
import psyche.config.DataLocation;
import psyche.config.HttpLocation;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.RunConfig;
import psyche.config.Shuffle;
import psyche.config.TokenSize;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunState;

/**
 * The local coordinator program against Psyche's Rust, one case per point of issue 16 (points 1-3 and 14); every
 * instruction here is spelled as bytes from the Rust definitions where the point is about the wire.
 */
class PsycheCompat_ProgramTest {
    static PsycheChain c;

    @BeforeAll static void start() { c = new PsycheChain(); }

    @AfterAll static void stop() { c.close(); }

    static String fixed(String ascii, int len) {
        StringBuilder sb = new StringBuilder();
        for (char ch : ascii.toCharArray()) sb.append(String.format("%02x", (int) ch));
        return sb + "00".repeat(len - ascii.length());
    }

    /** A run with the tiny config, unpaused, two clients joined and ticked into Warmup (both epoch clients). */
    record Started(Keypair owner, PsycheChain.Run run, Keypair a, Keypair b) {}

    static Started startedRun(String runId) {
        Keypair owner = c.funded();
        Pubkey auth = c.authorize(owner, Pubkey.SYSTEM);
        PsycheChain.Run run = c.createRun(owner, runId, owner.publicKey());
        c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), c.configUpdate(PsycheChain.tinyConfig())));
        c.send(owner, c.coordinator.setPaused(owner.publicKey(), run.instance(), run.account(), false));
        Keypair a = c.funded(), b = c.funded();
        for (Keypair k : List.of(a, b)) {
            c.send(k, c.coordinator.joinRun(k.publicKey(), auth, run.instance(), run.account(), new NodeIdentity(k.publicKey(), k.publicKey())));
        }
        c.clock.advance(Duration.ofSeconds(4)); // past waiting_for_members_extra_time = 3
        c.send(a, c.coordinator.tick(a.publicKey(), run.instance(), run.account()));
        assertEquals(RunState.Warmup, c.coordinatorAccount(run.account()).state().coordinator().runState());
        return new Started(owner, run, a, b);
    }

    static Instruction raw(Keypair user, PsycheChain.Run run, String hex) {
        return new Instruction(c.ids.coordinator(), List.of(AccountMeta.signer(user.publicKey()), AccountMeta.readonly(run.instance()),
                AccountMeta.writable(run.account())), Borsh.unhex(hex));
    }

    static Checkpoint checkpointOf(PsycheChain.Run run) {
        return c.coordinatorAccount(run.account()).state().coordinator().model().checkpoint();
    }

    /**
     * Point 1: the program reads checkpoint's argument as model::Checkpoint (solana-coordinator/src/lib.rs:314-321)
     * and merges it as Coordinator::checkpoint does (shared/coordinator/src/coordinator.rs:604-628).
     */
    @Test void point1_checkpointTakesTheWholeEnum() {
        Started s = startedRun("compat-checkpoint");
        // Checkpoint::Hub (2) { repo_id "compat/new", revision Some("rev1") } over Hub → Hub(new)
        c.send(s.a(), raw(s.a(), s.run(), "d5c813ccf08fb8fc" + "02" + fixed("compat/new", 64) + "01" + fixed("rev1", 64)));
        assertEquals(new Checkpoint.Hub(new HubRepo("compat/new", Optional.of("rev1"))), checkpointOf(s.run()));
        // Checkpoint::Gcs (4) over Hub is ignored (coordinator.rs:626-627), but decodes and succeeds
        c.send(s.b(), raw(s.b(), s.run(), "d5c813ccf08fb8fc" + "04" + fixed("bkt", 64) + "00"));
        assertEquals(new Checkpoint.Hub(new HubRepo("compat/new", Optional.of("rev1"))), checkpointOf(s.run()));
        // Ephemeral (0): no payload, ignored
        c.send(s.b(), raw(s.b(), s.run(), "d5c813ccf08fb8fc" + "00"));
        // a bare HubRepo (the old, wrong encoding) starts with 'c' = 99: no such variant → InstructionDidNotDeserialize
        c.fails(102, s.a(), raw(s.a(), s.run(), "d5c813ccf08fb8fc" + fixed("compat/old", 64) + "00"));
        // the typed builder sends the same Hub variant
        c.send(s.a(), c.coordinator.checkpoint(s.a().publicKey(), s.run().instance(), s.run().account(),
                new Checkpoint.Hub(HubRepo.of("compat/typed"))));
        assertEquals(new Checkpoint.Hub(HubRepo.of("compat/typed")), checkpointOf(s.run()));
    }

    static LlmModel withData(LlmModel m, DataLocation d) {
        return new LlmModel(m.maxSeqLen(), m.coldStartWarmupSteps(), m.architecture(), m.checkpoint(), m.dataType(), d,
                m.lrSchedule(), m.optimizer());
    }

    static LlmModel withColdStart(LlmModel m, long steps) {
        return new LlmModel(m.maxSeqLen(), steps, m.architecture(), m.checkpoint(), m.dataType(), m.dataLocation(),
                m.lrSchedule(), m.optimizer());
    }

    static CoordinatorInstructions.Update modelOnly(LlmModel m) {
        return new CoordinatorInstructions.Update(Optional.empty(), Optional.empty(), Optional.of(m), Optional.empty());
    }

    /** Point 2: Model::check rejects empty data locations (shared/coordinator/src/model.rs:316-337) → 6005. */
    @Test void point2_modelCheckRejectsBadDataLocations() {
        Keypair owner = c.funded();
        PsycheChain.Run run = c.createRun(owner, "compat-data", owner.publicKey());
        RunConfig tiny = PsycheChain.tinyConfig();
        c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), c.configUpdate(tiny)));
        List<DataLocation> bad = List.of(new DataLocation.Server(""), new DataLocation.WeightedHttp(""), new DataLocation.Preprocessed(""),
                new DataLocation.Http(new HttpLocation.SingleUrl(""), TokenSize.TwoBytes, new Shuffle.DontShuffle()),
                new DataLocation.Http(new HttpLocation.NumberedFiles("", 0, 0, 3), TokenSize.TwoBytes, new Shuffle.DontShuffle()),
                new DataLocation.Http(new HttpLocation.NumberedFiles("http://x/{}.bin", 0, 0, 0), TokenSize.TwoBytes, new Shuffle.DontShuffle()),
                new DataLocation.Http(new HttpLocation.Gcp("", "dir"), TokenSize.FourBytes, new Shuffle.DontShuffle()));
        for (DataLocation d : bad) {
            PsycheChain.assertLogged(c.fails(6005, owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(),
                    modelOnly(withData(tiny.model(), d)))), "ModelSanityCheckFailed");
        }
        // Dummy and Local (even empty) pass Model::check (model.rs:318, 320)
        c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), modelOnly(withData(tiny.model(), new DataLocation.Local("")))));
        c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), modelOnly(withData(tiny.model(), new DataLocation.Dummy()))));
    }

    /**
     * Point 3: a model-only update runs check_cold_start_warmup_steps (instance_state.rs:318-322,
     * coordinator.rs:892-911) → 6004; on a run with no config yet its division by max_round_train_time = 0 panics
     * (ProgramFailedToComplete) and nothing changes.
     */
    @Test void point3_modelOnlyUpdateRunsTheColdStartCheck() {
        Keypair owner = c.funded();
        PsycheChain.Run run = c.createRun(owner, "compat-cold", owner.publicKey());
        RunConfig tiny = PsycheChain.tinyConfig();
        // no config yet: (0 - 0) / 0 panics
        TransactionFailedException panic = assertThrows(TransactionFailedException.class, () -> c.send(owner,
                c.coordinator.update(owner.publicKey(), run.instance(), run.account(), modelOnly(withColdStart(tiny.model(), 1)))));
        assertTrue(panic.err().toString().contains("ProgramFailedToComplete"), panic.err()::toString);
        CoordinatorAccount before = c.coordinatorAccount(run.account());
        assertEquals(0, before.nonce());
        c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), c.configUpdate(tiny)));
        // tiny: (60 - 10) / 10 = 5 rounds; 6 cold-start steps do not fit
        PsycheChain.assertLogged(c.fails(6004, owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(),
                modelOnly(withColdStart(tiny.model(), 6)))), "ConfigSanityCheckFailed");
        c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), modelOnly(withColdStart(tiny.model(), 5))));
        assertEquals(5, c.coordinatorAccount(run.account()).state().coordinator().model().coldStartWarmupSteps());
    }

    /** Point 14: join_run refuses only when registered == global_batch_size_end (instance_state.rs:350-356). */
    @Test void point14_globalBatchSizeEndClientsMayRegister() {
        Keypair owner = c.funded();
        Pubkey auth = c.authorize(owner, Pubkey.SYSTEM);
        PsycheChain.Run run = c.createRun(owner, "compat-batch", owner.publicKey());
        RunConfig tiny = PsycheChain.tinyConfig(); // global_batch_size_end = 8
        c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), c.configUpdate(tiny)));
        int end = tiny.config().globalBatchSizeEnd();
        for (int i = 0; i < end; i++) {
            Keypair k = c.funded();
            c.send(k, c.coordinator.joinRun(k.publicKey(), auth, run.instance(), run.account(), new NodeIdentity(k.publicKey(), k.publicKey())));
        }
        assertEquals(end, c.coordinatorAccount(run.account()).state().clientsState().clients().size());
        Keypair extra = c.funded();
        PsycheChain.assertLogged(c.fails(6022, extra, c.coordinator.joinRun(extra.publicKey(), auth, run.instance(), run.account(),
                new NodeIdentity(extra.publicKey(), extra.publicKey()))), "MoreClientsThanBatches");
    }
}
