package psyche.chain;

import org.junit.jupiter.api.Test;
import psyche.config.*;
import psyche.coordinator.Committee;
import psyche.coordinator.*;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Golden bytes per instruction, derived by hand from spec §7's field orders (Borsh: little-endian, Option = u8 tag,
 * String/Vec = u32 length, FixedString<L> = L bytes, enum = u8 index). Discriminators are the spec's table; f32/f64
 * bit patterns were computed with Python's struct.pack('<f'/'<d'), independently of this code.
 */
class Instructions_GoldenTest {
    static final Pubkey K1 = key(0x01), K2 = key(0x02), K3 = key(0x03), K4 = key(0x04), K5 = key(0x05), K6 = key(0x06),
            K7 = key(0x07), K8 = key(0x08), K9 = key(0x09);

    static Pubkey key(int b) { byte[] a = new byte[32]; java.util.Arrays.fill(a, (byte) b); return Pubkey.of(a); }

    /** {@code n} repetitions of a hex byte: how a 32-byte key of that byte is spelled. */
    static String rep(String hexByte, int n) { return hexByte.repeat(n); }

    static String zeros(int n) { return rep("00", n); }

    /** UTF-8 of ASCII text padded with NULs to {@code len}: FixedString<len>. */
    static String fixed(String ascii, int len) {
        StringBuilder sb = new StringBuilder();
        for (char c : ascii.toCharArray()) sb.append(String.format("%02x", (int) c));
        return sb + zeros(len - ascii.length());
    }

    static void assertData(String expectedHex, Instruction ix) {
        assertEquals(expectedHex.replaceAll("\\s", ""), Borsh.hex(ix.data()));
    }

    static void assertMetas(Instruction ix, Object... keyAndFlags) {
        assertEquals(keyAndFlags.length / 2, ix.accounts().size(), "account count");
        for (int i = 0; i < keyAndFlags.length; i += 2) {
            AccountMeta m = ix.accounts().get(i / 2);
            assertEquals(keyAndFlags[i], m.pubkey(), "account " + i / 2);
            assertEquals(keyAndFlags[i + 1], m.flags(), "flags of account " + i / 2);
        }
    }

    final CoordinatorInstructions coord = CoordinatorInstructions.mainnet();
    final AuthorizerInstructions auth = AuthorizerInstructions.mainnet();
    final TreasurerInstructions treas = TreasurerInstructions.mainnet();
    final NativeInstructions nat = NativeInstructions.mainnet();
    final Pdas pdas = Pdas.mainnet();

    @Test
    void discriminatorsMatchTheSpecTable() {
        Map<String, String> spec = Map.ofEntries(
                Map.entry("init_coordinator", "14399449e8857a19"), Map.entry("free_coordinator", "59d8d7e5dff24a20"),
                Map.entry("update", "dbc858b09e3ffd7f"), Map.entry("update_client_version", "c1152e3c33020dfb"),
                Map.entry("set_future_epoch_rates", "ef15a057c7c8b681"), Map.entry("set_paused", "5b3c7dc0b0e1a6da"),
                Map.entry("tick", "5c4f2c0865503f0f"), Map.entry("witness", "d5f495198edf1527"),
                Map.entry("warmup_witness", "d3e87ae83f16375e"), Map.entry("health_check", "735a63a88a129d83"),
                Map.entry("checkpoint", "d5c813ccf08fb8fc"), Map.entry("join_run", "48a07d666a86f64b"),
                Map.entry("authorization_create", "149dc4b3e7df6d66"),
                Map.entry("authorization_grantor_update", "1d7441a161bd3af9"),
                Map.entry("authorization_grantee_update", "ba6f7fc75990c143"),
                Map.entry("authorization_close", "81d0f820c8855717"), Map.entry("run_create", "c638a3f70e3aa7fd"),
                Map.entry("run_update", "33562e740d42149d"), Map.entry("participant_create", "32b18e2875b046b5"),
                Map.entry("participant_claim", "a096e8563b6bad26"));
        spec.forEach((name, hex) -> assertEquals(hex, Borsh.hex(Discriminators.instruction(name)), name));
        assertEquals(20, CoordinatorInstructions.NAMES.size() + AuthorizerInstructions.NAMES.size() + TreasurerInstructions.NAMES.size());
        assertEquals("ef21b1372c9b562b", Borsh.hex(Discriminators.account("CoordinatorAccount")));
        assertEquals("9c099910af181ffc", Borsh.hex(Discriminators.account("CoordinatorInstance")));
        assertEquals("0344a8f3c3a8204b", Borsh.hex(Discriminators.account("Authorization")));
        assertEquals("c7369b56eb73f6bd", Borsh.hex(Discriminators.account("Run")));
        assertEquals("208e6c4ff7b33606", Borsh.hex(Discriminators.account("Participant")));
    }

    @Test
    void initCoordinator() {
        Instruction ix = coord.initCoordinator(K9, K8, new CoordinatorInstructions.InitCoordinator(K1, K2, "test", "v1"));
        // disc | main_authority | join_authority | run_id: u32 4 + "test" | client_version: u32 2 + "v1"
        assertData("14399449e8857a19" + rep("01", 32) + rep("02", 32) + "04000000 74657374" + "02000000 7631", ix);
        assertMetas(ix, K9, "sw", pdas.coordinatorInstance("test").address(), "w", K8, "w", Pubkey.SYSTEM, "-");
        assertEquals(ProgramIds.COORDINATOR, ix.programId());
    }

    @Test
    void freeCoordinator() {
        Instruction ix = coord.freeCoordinator(K1, K2, K3, K4);
        assertData("59d8d7e5dff24a20", ix);   // params{} is empty
        assertMetas(ix, K1, "s", K2, "w", K3, "w", K4, "w");
    }

    static final String CONFIG_HEX =
            "0f00000000000000 1e00000000000000 0f00000000000000 0100000000000000" // warmup 15, cooldown 30, max_round_train 15, round_witness 1
            + "0000000000000000 3c00000000000000"                                // gbs_warmup_tokens 0, epoch_time 60
            + "a8610000"                                                          // total_steps 25000 u32
            + "0100 0100 0000 0008 0008"                                          // init_min 1, min 1, witness_nodes 0, gbs 2048/2048 u16
            + "00 03";                                                            // verification_percent, waiting_for_members_extra_time u8
    static final CoordinatorConfig CONFIG = new CoordinatorConfig(15, 30, 15, 1, 0, 60, 25_000, 1, 1, 0, 2048, 2048, 0, 3);

    @Test
    void updateWithConfigAndProgress() {
        Instruction ix = coord.update(K1, K2, K3, new CoordinatorInstructions.Update(Optional.empty(), Optional.of(CONFIG),
                Optional.empty(), Optional.of(new Progress(2, 10, 4096))));
        // metadata None | config Some + 64 B | model None | progress Some: epoch u16 2, step u32 10, esdi u64 4096
        assertData("dbc858b09e3ffd7f" + "00" + "01" + CONFIG_HEX + "00" + "01 0200 0a000000 0010000000000000", ix);
        assertMetas(ix, K1, "s", K2, "-", K3, "w");
    }

    @Test
    void updateWithMetadataAndModel() {
        LlmModel model = new LlmModel(2048, 0, Architecture.HfLlama, new Checkpoint.Hub(HubRepo.of("ab")),
                DataType.Pretraining, new DataLocation.Http(new HttpLocation.Gcp("b", ""), TokenSize.TwoBytes,
                new Shuffle.DontShuffle()), new LrSchedule.Cosine(4e-4, 0.0, 4e-5, 250, 25_000),
                new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 2, 64, false));
        Instruction ix = coord.update(K1, K2, K3, new CoordinatorInstructions.Update(
                Optional.of(new RunMetadata("n", "d", 1_000_000, 32_768)), Optional.empty(), Optional.of(model), Optional.empty()));
        String metadata = "01" + fixed("n", 64) + fixed("d", 280) + "40420f0000000000" + "0080000000000000";
        String modelHex = "01" + "00"                     // Some, Model::LLM
                + "00080000 00000000 00"                  // max_seq_len 2048, cold_start 0, architecture HfLlama
                + "02" + fixed("ab", 64) + "00"           // Checkpoint::Hub{repo_id, revision None} (Borsh: declaration order)
                + "00"                                    // data_type Pretraining
                + "03 02" + fixed("b", 64) + fixed("", 192) + "00 00"  // Http{Gcp{bucket, filter}, TwoBytes, DontShuffle}
                + "02 2d431cebe2363a3f 0000000000000000 f168e388b5f8043f fa000000 a8610000" // Cosine{4e-4, 0, 4e-5, 250, 25000}
                + "02 01 0000803f 00 77be7f3f 0200 4000 00"; // Distro{Some(1.0), None, 0.999, topk 2, chunk 64, false}
        assertData("dbc858b09e3ffd7f" + metadata + "00" + modelHex + "00", ix);
        // and back
        CoordinatorInstructions.Update back = (CoordinatorInstructions.Update) CoordinatorInstructions.decode(ix.data());
        assertEquals(Optional.of(model), back.model());
    }

    @Test
    void updateClientVersion() {
        Instruction ix = coord.updateClientVersion(K1, K2, K3, "0.1.0");
        assertData("c1152e3c33020dfb 05000000 302e312e30", ix);
        assertMetas(ix, K1, "s", K2, "-", K3, "w");
    }

    @Test
    void setFutureEpochRates() {
        Instruction ix = coord.setFutureEpochRates(K1, K2, K3, Optional.of(1_000_000L), Optional.empty());
        assertData("ef15a057c7c8b681 01 40420f0000000000 00", ix);
        assertMetas(ix, K1, "s", K2, "-", K3, "w");
    }

    @Test
    void setPaused() {
        assertData("5b3c7dc0b0e1a6da 01", coord.setPaused(K1, K2, K3, true));
        assertData("5b3c7dc0b0e1a6da 00", coord.setPaused(K1, K2, K3, false));
    }

    @Test
    void tick() {
        Instruction ix = coord.tick(K1, K2, K3);
        assertData("5c4f2c0865503f0f", ix);
        assertMetas(ix, K1, "s", K2, "-", K3, "w");
    }

    @Test
    void joinRun() {
        Instruction ix = coord.joinRun(K1, K2, K3, K4, new NodeIdentity(K5, K6));
        assertData("48a07d666a86f64b" + rep("05", 32) + rep("06", 32), ix);   // ClientId{signer, p2p_identity}
        assertMetas(ix, K1, "s", K2, "-", K3, "-", K4, "w");
    }

    static WitnessBloom keys1to8() { return new WitnessBloom(new long[]{1, 2, 3, 4, 5, 6, 7, 8}, new long[16]); }

    static final String PROOF_HEX = "0500000000000000 0900000000000000 01";              // position 5, index 9, witness
    static final String BLOOM_1TO8 = "0100000000000000 0200000000000000 0300000000000000 0400000000000000"
            + "0500000000000000 0600000000000000 0700000000000000 0800000000000000" + zeros(128); // keys then 16 words
    static final String EMPTY_BLOOM = zeros(192);

    @Test
    void witness() {
        byte[] merkle = new byte[32];
        java.util.Arrays.fill(merkle, (byte) 0xaa);
        WitnessMetadata meta = new WitnessMetadata(7, 0, 0, 1.5f, List.of(), List.of(), 0, 0);
        Instruction ix = coord.permissionless(K1, K2, K3, new CoordinatorInstructions.WitnessIx(
                new WitnessProof(5, 9, true), keys1to8(), WitnessBloom.EMPTY, merkle, meta));
        String metaHex = "07000000 00000000 00000000 0000c03f"   // step 7, tokens/s 0, bandwidth 0, loss 1.5
                + zeros(8 * 36) + zeros(8)                         // evals: 8 × {FS<32>, f32}, len u64 0
                + zeros(16 * 4) + zeros(8)                         // prompt_results: 16 × i32, len u64 0
                + "00 00000000";                                   // prompt_index, efficency
        assertData("d5f495198edf1527" + PROOF_HEX + BLOOM_1TO8 + EMPTY_BLOOM + rep("aa", 32) + metaHex, ix);
        assertMetas(ix, K1, "s", K2, "-", K3, "w");
    }

    @Test
    void warmupWitness() {
        byte[] merkle = new byte[32];
        Instruction ix = coord.permissionless(K1, K2, K3, new CoordinatorInstructions.WarmupWitness(
                new WitnessProof(5, 9, true), keys1to8(), WitnessBloom.EMPTY, merkle));
        assertData("d3e87ae83f16375e" + PROOF_HEX + BLOOM_1TO8 + EMPTY_BLOOM + zeros(32), ix);
    }

    @Test
    void healthCheck() {
        Instruction ix = coord.permissionless(K1, K2, K3, new CoordinatorInstructions.HealthCheck(
                new NodeIdentity(K5, K6), Committee.Trainer, 3, 4));
        assertData("735a63a88a129d83" + rep("05", 32) + rep("06", 32) + "02 0300000000000000 0400000000000000", ix);
    }

    @Test
    void checkpoint() {
        Instruction ix = coord.checkpoint(K1, K2, K3, new HubRepo("org/m", Optional.of("abc")));
        // model::Checkpoint::Hub (variant 2) then HubRepo { repo_id FS<64>, revision Option<FS<64>> }
        assertData("d5c813ccf08fb8fc" + "02" + fixed("org/m", 64) + "01" + fixed("abc", 64), ix);
        assertMetas(ix, K1, "s", K2, "-", K3, "w");
    }

    @Test
    void authorizationCreate() {
        Instruction ix = auth.create(K1, K2, Pubkey.SYSTEM, Pdas.Scopes.COORDINATOR_JOIN_RUN);
        // grantee 111…1 = 32 zero bytes | scope Vec<u8>: u32 18 + "CoordinatorJoinRun"
        assertData("149dc4b3e7df6d66" + zeros(32) + "12000000 436f6f7264696e61746f724a6f696e52756e", ix);
        assertMetas(ix, K1, "sw", K2, "s", pdas.joinAuthorization(K2, Pubkey.SYSTEM).address(), "w", Pubkey.SYSTEM, "-");
        assertEquals(ProgramIds.AUTHORIZER, ix.programId());
    }

    @Test
    void authorizationGrantorUpdate() {
        Instruction ix = auth.grantorUpdate(K1, K2, true);
        assertData("1d7441a161bd3af9 01", ix);
        assertMetas(ix, K1, "s", K2, "w");
    }

    @Test
    void authorizationGranteeUpdate() {
        Instruction ix = auth.granteeUpdate(K1, K2, K3, false, List.of(K7, K8));
        assertData("ba6f7fc75990c143 00 02000000" + rep("07", 32) + rep("08", 32), ix);
        assertMetas(ix, K1, "sw", K2, "s", K3, "w", Pubkey.SYSTEM, "-");
    }

    @Test
    void authorizationClose() {
        Instruction ix = auth.close(K1, K2, K3);
        assertData("81d0f820c8855717", ix);
        assertMetas(ix, K1, "s", K2, "w", K3, "w", Pubkey.SYSTEM, "-");
    }

    @Test
    void runCreate() {
        Instruction ix = treas.runCreate(K9, K7, K8, new TreasurerInstructions.RunCreate(0x0102030405060708L, "r1", "test", K1, K2));
        // index u64 | run_id String | client_version String | main_authority | join_authority
        assertData("c638a3f70e3aa7fd 0807060504030201 02000000 7231 04000000 74657374" + rep("01", 32) + rep("02", 32), ix);
        Pubkey run = pdas.treasurerRun(0x0102030405060708L).address();
        assertMetas(ix, K9, "sw", run, "w", pdas.associatedTokenAccount(run, K7).address(), "w", K7, "-",
                pdas.coordinatorInstance("r1").address(), "w", K8, "w", ProgramIds.COORDINATOR, "-",
                ProgramIds.ASSOCIATED_TOKEN, "-", ProgramIds.TOKEN, "-", Pubkey.SYSTEM, "-");
    }

    @Test
    void runUpdate() {
        TreasurerInstructions.RunUpdate u = new TreasurerInstructions.RunUpdate(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(1000L), Optional.empty(), Optional.of(false), Optional.of("abc"));
        Instruction ix = treas.runUpdate(K1, K2, K3, K4, u);
        // metadata, config, model, progress None | earning Some 1000 | slashing None | paused Some(false) | version Some "abc"
        assertData("33562e740d42149d 00 00 00 00 01 e803000000000000 00 01 00 01 03000000 616263", ix);
        assertMetas(ix, K1, "s", K2, "-", K3, "-", K4, "w", ProgramIds.COORDINATOR, "-");
    }

    @Test
    void participantCreate() {
        Instruction ix = treas.participantCreate(K1, K2, K3);
        assertData("32b18e2875b046b5", ix);
        assertMetas(ix, K1, "sw", K2, "s", K3, "-", pdas.participant(K3, K2).address(), "w", Pubkey.SYSTEM, "-");
    }

    @Test
    void participantClaim() {
        Instruction ix = treas.participantClaim(K1, K2, K7, K8, 42);
        assertData("a096e8563b6bad26 2a00000000000000", ix);
        assertMetas(ix, K1, "s", pdas.associatedTokenAccount(K1, K7).address(), "w", K2, "w",
                pdas.associatedTokenAccount(K2, K7).address(), "w", K8, "-", pdas.participant(K2, K1).address(), "w",
                ProgramIds.TOKEN, "-");
    }

    @Test
    void systemCreateAccountAndTransfer() {
        Instruction ca = nat.createAccount(K1, K2, 1_000_000, 119_160, K9);
        assertData("00000000 40420f0000000000 78d1010000000000" + rep("09", 32), ca);   // variant 0, lamports, space, owner
        assertMetas(ca, K1, "sw", K2, "sw");
        Instruction tr = nat.transfer(K1, K2, 5);
        assertData("02000000 0500000000000000", tr);
        assertMetas(tr, K1, "sw", K2, "w");
    }

    @Test
    void splToken() {
        assertData("03 0a00000000000000", nat.tokenTransfer(K1, K2, K3, 10));
        assertMetas(nat.tokenTransfer(K1, K2, K3, 10), K1, "w", K2, "w", K3, "s");
        assertData("07 0a00000000000000", nat.mintTo(K1, K2, K3, 10));
        assertMetas(nat.mintTo(K1, K2, K3, 10), K1, "w", K2, "w", K3, "s");
        Instruction tc = nat.transferChecked(K1, K2, K3, K4, 10, 6);
        assertData("0c 0a00000000000000 06", tc);
        assertMetas(tc, K1, "w", K2, "-", K3, "w", K4, "s");
        assertData("00 06" + rep("01", 32) + "00", nat.initializeMint(K5, 6, K1, Optional.empty()));
        assertData("00 06" + rep("01", 32) + "01" + rep("02", 32), nat.initializeMint(K5, 6, K1, Optional.of(K2)));
        assertMetas(nat.initializeMint(K5, 6, K1, Optional.empty()), K5, "w", ProgramIds.SYSVAR_RENT, "-");
    }

    @Test
    void associatedTokenAccountCreate() {
        Instruction ix = nat.createAssociatedTokenAccount(K1, K2, K3, false);
        assertData("00", ix);
        assertData("01", nat.createAssociatedTokenAccount(K1, K2, K3, true));
        assertMetas(ix, K1, "sw", pdas.associatedTokenAccount(K2, K3).address(), "w", K2, "-", K3, "-",
                Pubkey.SYSTEM, "-", ProgramIds.TOKEN, "-");
    }

    @Test
    void everyBuiltInstructionDecodesToItsNameAndArgs() {
        Instructions dec = Instructions.mainnet();
        assertEquals("init_coordinator", dec.decode(coord.initCoordinator(K9, K8,
                new CoordinatorInstructions.InitCoordinator(K1, K2, "test", "v1"))).name());
        DecodedInstruction d = dec.decode(coord.setFutureEpochRates(K1, K2, K3, Optional.of(7L), Optional.empty()));
        assertEquals("coordinator", d.program());
        assertEquals(Optional.of(7L), d.args().get("epoch_earning_rate_total_shared"));
        assertEquals("authorization_grantee_update", dec.decode(auth.granteeUpdate(K1, K2, K3, true, List.of())).name());
        assertEquals("42", dec.decode(treas.participantClaim(K1, K2, K7, K8, 42)).args().get("claim_earned_points"));
        assertEquals("transfer_checked", dec.decode(nat.transferChecked(K1, K2, K3, K4, 1, 6)).name());
        assertEquals("create_account", dec.decode(nat.createAccount(K1, K2, 1, 2, K3)).name());
        assertEquals("create_idempotent", dec.decode(nat.createAssociatedTokenAccount(K1, K2, K3, true)).name());
    }
}
