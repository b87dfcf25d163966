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

        // our CLI's checkpoint sends Checkpoint::Hub (run/checkpoint.rs:45-50), and Checkpoint::Gcs with --gcs-bucket
        java.nio.file.Path wallet = tmp.resolve("client-a.json");
        s.a().save(wallet);
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        int code = psyche.cli.RunManager.execute("run-manager", new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
                "checkpoint", "--rpc", c.chain.rpcUrl(), "--run-id", s.run().runId(), "--repo", "compat/cli", "--revision", "r2",
                "-w", wallet.toString());
        assertEquals(0, code, () -> out + " " + err);
        assertEquals(new Checkpoint.Hub(new HubRepo("compat/cli", Optional.of("r2"))), checkpointOf(s.run()));
        code = psyche.cli.RunManager.execute("run-manager", new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
                "checkpoint", "--rpc", c.chain.rpcUrl(), "--run-id", s.run().runId(), "--gcs-bucket", "bkt", "-w", wallet.toString());
        assertEquals(0, code, () -> out + " " + err);
        assertEquals(new Checkpoint.Hub(new HubRepo("compat/cli", Optional.of("r2"))), checkpointOf(s.run()), "Gcs over Hub is ignored");
        java.io.StringWriter bad = new java.io.StringWriter();
        code = psyche.cli.RunManager.execute("run-manager", new java.io.PrintWriter(out, true), new java.io.PrintWriter(bad, true),
                "checkpoint", "--rpc", c.chain.rpcUrl(), "--run-id", s.run().runId(), "--gcs-bucket", "bkt", "--repo", "x/y", "-w", wallet.toString());
        assertEquals(2, code);
        assertTrue(bad.toString().contains("exclude each other"), bad::toString);
    }

    @org.junit.jupiter.api.io.TempDir static java.nio.file.Path tmp;

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

    // ------------------------------------------------------------------ point 4: Anchor's decoding

    /**
     * Point 4: Anchor's dispatch deserializes with {@code AnchorDeserialize::deserialize(&mut &data[..])}, which
     * ignores trailing bytes (anchor-lang 0.30.1 codegen/program/handlers.rs); FixedString is {@code [u8; L]}
     * (shared/core/src/fixed_string.rs:31-38): raw bytes, no UTF-8 rule; SmallBoolean is a u8 newtype
     * (shared/core/src/small_boolean.rs:8-24): any byte; a Borsh {@code bool} must be 0 or 1.
     */
    @Test void point4_anchorDecodingRules() {
        Keypair owner = c.funded();
        PsycheChain.Run run = c.createRun(owner, "compat-decode", owner.publicKey());
        // set_future_epoch_rates(Some(7), None) followed by 4 stray bytes: accepted, the stray bytes ignored
        c.send(owner, raw(owner, run, "ef15a057c7c8b681" + "01" + "0700000000000000" + "00" + "deadbeef"));
        assertEquals(7, c.coordinatorAccount(run.account()).state().clientsState().futureEpochRates().earningRateTotalShared());
        // update(metadata: Some{name: [0xff, 'A', 0…] (not UTF-8), description: 280 zero bytes, 5, 6}, None, None, None)
        String metadata = "01" + "ff41" + "00".repeat(62) + "00".repeat(280) + "0500000000000000" + "0600000000000000";
        c.send(owner, raw(owner, run, "dbc858b09e3ffd7f" + metadata + "00" + "00" + "00"));
        assertEquals(5, c.coordinatorAccount(run.account()).state().metadata().numParameters());
        assertTrue(c.coordinatorAccount(run.account()).state().metadata().name().endsWith("A"));
        // set_paused(bool = 2): Borsh refuses a bool that is not 0 or 1 → InstructionDidNotDeserialize
        c.fails(102, owner, raw(owner, run, "5b3c7dc0b0e1a6da" + "02"));
        // a witness proof's SmallBoolean may hold any byte (true when non-zero), as the program reads it
        String proof = "0500000000000000" + "0900000000000000" + "02";
        String bloom = "00".repeat(8 * 24);
        CoordinatorInstructions.Ix warm = CoordinatorInstructions.decodeAnchor(Borsh.unhex("d3e87ae83f16375e" + proof + bloom + bloom + "00".repeat(32)));
        assertTrue(((CoordinatorInstructions.WarmupWitness) warm).proof().witness());
        // our own strict decoder (for inspection) still reports the trailing bytes
        org.junit.jupiter.api.Assertions.assertThrows(psyche.chain.InstructionDecodeException.class,
                () -> CoordinatorInstructions.decode(Borsh.unhex("ef15a057c7c8b681" + "00" + "00" + "ff")));
    }

    // ------------------------------------------------------------------ point 5: error codes

    /**
     * Point 5: the coordinator account is an AccountLoader (solana-coordinator/src/lib.rs:328-369): a missing or
     * foreign account is AccountOwnedByWrongProgram 3007 (Anchor 0.30.1 AccountLoader::try_from has no
     * AccountNotInitialized check); the authorizer's grantor/grantee/close checks are `constraint = …`, i.e.
     * ConstraintRaw 2003 (logic/authorization_grantor_update.rs:9-18, _grantee_update.rs:9-28, _close.rs:9-23), and
     * close's spill is a SystemAccount (3011).
     */
    @Test void point5_errorCodesAsTheRealPrograms() {
        Keypair owner = c.funded();
        PsycheChain.Run run = c.createRun(owner, "compat-codes", owner.publicKey());
        Pubkey nowhere = Keypair.generate().publicKey();
        PsycheChain.assertLogged(c.fails(3007, owner, c.coordinator.tick(owner.publicKey(), run.instance(), nowhere)),
                "Error Code: AccountOwnedByWrongProgram. Error Number: 3007");
        c.fails(3007, owner, c.coordinator.setPaused(owner.publicKey(), run.instance(), owner.publicKey(), true)); // a wallet: system-owned

        Keypair grantor = c.funded(), grantee = c.funded();
        Pubkey address = c.pdas.joinAuthorization(grantor.publicKey(), grantee.publicKey()).address();
        c.send(grantor, c.authorizer.create(grantor.publicKey(), grantor.publicKey(), grantee.publicKey(), psyche.chain.Pdas.Scopes.COORDINATOR_JOIN_RUN));
        PsycheChain.assertLogged(c.fails(2003, grantee, c.authorizer.grantorUpdate(grantee.publicKey(), address, true)),
                "Error Code: ConstraintRaw. Error Number: 2003");
        c.fails(2003, grantor, c.authorizer.granteeUpdate(grantor.publicKey(), grantor.publicKey(), address, true, List.of()));
        c.fails(2003, grantee, c.authorizer.close(grantee.publicKey(), grantee.publicKey(), address));
        // spill owned by the coordinator program (the run's account) → AccountNotSystemOwned
        PsycheChain.assertLogged(c.fails(3011, grantor, c.authorizer.close(grantor.publicKey(), run.account(), address)),
                "Error Code: AccountNotSystemOwned. Error Number: 3011");
        c.send(grantor, c.authorizer.close(grantor.publicKey(), grantor.publicKey(), address)); // inactive, no delegates
        assertEquals(null, c.account(address));
    }

    /**
     * Point 5: participant_claim's run_collateral is `associated_token::mint = run.collateral_mint,
     * associated_token::authority = run` (solana-treasurer/src/logic/participant_claim.rs:22-27); Anchor 0.30.1
     * checks the token account's owner (ConstraintTokenOwner 2015), then its address (ConstraintAssociated 2009).
     * Point 6: the Run and Participant accounts are 8 + size_of (state/run.rs:21-24, state/participant.rs:16-19).
     */
    @Test void point5and6_treasurerClaimAtaChecksAndAccountSizes() {
        Keypair owner = c.funded();
        Keypair mint = Keypair.generate();
        c.send(owner, List.of(c.natives.createAccount(owner.publicKey(), mint.publicKey(), c.rpc.getMinimumBalanceForRentExemption(82),
                82, c.ids.token()), c.natives.initializeMint(mint.publicKey(), 0, owner.publicKey(), Optional.empty())), mint);
        String runId = "compat-treasury";
        long index = psyche.chain.Pdas.defaultTreasurerIndex(runId);
        Keypair account = Keypair.generate();
        c.send(owner, List.of(c.natives.createAccount(owner.publicKey(), account.publicKey(),
                c.rpc.getMinimumBalanceForRentExemption(psyche.chain.CoordinatorAccountCodec.SIZE), psyche.chain.CoordinatorAccountCodec.SIZE, c.ids.coordinator()),
                c.treasurer.runCreate(owner.publicKey(), mint.publicKey(), account.publicKey(),
                        new psyche.chain.TreasurerInstructions.RunCreate(index, runId, "test", owner.publicKey(), owner.publicKey()))), account);
        Pubkey run = c.pdas.treasurerRun(index).address();
        assertEquals(200, c.account(run).data().length, "8 + size_of::<Run>()");
        assertEquals(c.rpc.getMinimumBalanceForRentExemption(200), c.account(run).lamports());
        Keypair user = c.funded();
        c.send(user, List.of(c.natives.createAssociatedTokenAccount(user.publicKey(), user.publicKey(), mint.publicKey(), false),
                c.treasurer.participantCreate(user.publicKey(), user.publicKey(), run)));
        Pubkey participant = c.pdas.participant(run, user.publicKey()).address();
        assertEquals(32, c.account(participant).data().length, "8 + size_of::<Participant>()");
        assertEquals(0, psyche.chain.Participant.decode(c.account(participant).data()).claimedEarnedPoints());

        Pubkey userAta = c.pdas.associatedTokenAccount(user.publicKey(), mint.publicKey()).address();
        // run_collateral = the user's own ATA: its owner is not the run → 2015
        PsycheChain.assertLogged(c.fails(2015, user, claim(user, userAta, run, userAta, account.publicKey(), participant)),
                "Error Code: ConstraintTokenOwner. Error Number: 2015");
        // a token account the run owns at an address that is not its ATA → 2009
        Keypair loose = Keypair.generate();
        byte[] init3 = new byte[33];
        init3[0] = 18; // InitializeAccount3 { owner }
        System.arraycopy(run.bytes(), 0, init3, 1, 32);
        c.send(owner, List.of(c.natives.createAccount(owner.publicKey(), loose.publicKey(), c.rpc.getMinimumBalanceForRentExemption(165), 165, c.ids.token()),
                new Instruction(c.ids.token(), List.of(AccountMeta.writable(loose.publicKey()), AccountMeta.readonly(mint.publicKey())), init3)), loose);
        PsycheChain.assertLogged(c.fails(2009, user, claim(user, userAta, run, loose.publicKey(), account.publicKey(), participant)),
                "Error Code: ConstraintAssociated. Error Number: 2009");
    }

    static Instruction claim(Keypair user, Pubkey userCollateral, Pubkey run, Pubkey runCollateral, Pubkey account, Pubkey participant) {
        return new Instruction(c.ids.treasurer(), List.of(AccountMeta.signer(user.publicKey()), AccountMeta.writable(userCollateral),
                AccountMeta.writable(run), AccountMeta.writable(runCollateral), AccountMeta.readonly(account),
                AccountMeta.writable(participant), AccountMeta.readonly(c.ids.token())),
                new psyche.chain.TreasurerInstructions.ParticipantClaim(0).data());
    }

    // ------------------------------------------------------------------ point 6: what the programs write

    /**
     * Point 6: authorization_create's processor leaves grantor_update_unix_timestamp at 0
     * (solana-authorizer/src/logic/authorization_create.rs:41-55); init_coordinator stores
     * FixedString::from_str_truncated(client_version): its first 96 bytes (logic/init_coordinator.rs:65-66).
     */
    @Test void point6_whatCreateAndInitWrite() {
        Keypair grantor = c.funded();
        Pubkey grantee = Keypair.generate().publicKey();
        c.clock.advance(Duration.ofSeconds(100));
        c.send(grantor, c.authorizer.create(grantor.publicKey(), grantor.publicKey(), grantee, psyche.chain.Pdas.Scopes.COORDINATOR_JOIN_RUN));
        Pubkey address = c.pdas.joinAuthorization(grantor.publicKey(), grantee).address();
        assertEquals(0, psyche.chain.Authorization.decode(c.account(address).data()).grantorUpdateUnixTimestamp());

        Keypair owner = c.funded();
        Keypair account = Keypair.generate();
        String longVersion = "v".repeat(90) + "0123456789"; // 100 bytes
        c.send(owner, List.of(c.natives.createAccount(owner.publicKey(), account.publicKey(),
                c.rpc.getMinimumBalanceForRentExemption(psyche.chain.CoordinatorAccountCodec.SIZE), psyche.chain.CoordinatorAccountCodec.SIZE, c.ids.coordinator()),
                c.coordinator.initCoordinator(owner.publicKey(), account.publicKey(), new CoordinatorInstructions.InitCoordinator(
                        owner.publicKey(), owner.publicKey(), "compat-version", longVersion))), account);
        assertEquals(longVersion.substring(0, 96), c.coordinatorAccount(account.publicKey()).state().clientVersion());
    }
}
