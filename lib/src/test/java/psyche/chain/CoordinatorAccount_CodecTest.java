package psyche.chain;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import psyche.config.*;
import psyche.coordinator.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class CoordinatorAccount_CodecTest {

    /**
     * Builds an account byte by byte at the absolute offsets of spec §7 (numbers written out here, not taken from the
     * codec). Content mirrors what Psyche's own layout test asserts of fixture coordinator-account-v1.so
     * (memnet_coordinator_data_layout.rs), plus a client, a witness and non-default union variants.
     */
    static byte[] handBuiltAccount() {
        byte[] d = new byte[119_160];
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, Borsh.unhex("ef21b1372c9b562b"));          // discriminator
        b.putLong(8, 1);                                    // version
        put(d, 16, "name");                                 // metadata.name FS<64>
        put(d, 80, "desc");                                 // metadata.description FS<280> at 16+64
        b.putLong(16 + 344, 1_100_000_000L);                // num_parameters
        b.putLong(16 + 352, 32_768);                        // vocab_size
        put(d, 376, "test");                                // run_id
        d[408] = 3;                                         // run_state = RoundTrain
        b.putInt(416, 0);                                   // Model::LLM tag; LLM at 424
        b.putInt(424, 2048);                                // max_seq_len
        b.putInt(428, 7);                                   // cold_start_warmup_steps
        b.putInt(432, 1);                                   // architecture HfDeepseek
        b.putInt(436, 2);                                   // checkpoint tag Hub (LLM+12)
        d[440] = 1; put(d, 441, "main");                    // HubRepo.revision Some("main") (observed: Option first)
        put(d, 440 + 65, "emozilla/llama2-1.1b-gqa-init");  // HubRepo.repo_id after the 65-byte Option
        b.putInt(424 + 148, 0);                             // data_type Pretraining
        b.putInt(424 + 152, 3);                             // data_location Http; payload at 424+156 = 580
        b.putInt(580, 2);                                   // Http.location = Gcp; payload at 584
        put(d, 584, "nous-pretraining-public-us");          // bucket_name FS<64>
        put(d, 584 + 64, "fineweb-edu-tokenized-llama2");   // filter_directory FS<192>
        b.putInt(580 + 260, 1);                             // token_size FourBytes
        b.putInt(580 + 264, 1);                             // shuffle Seeded, seed at +268
        for (int i = 0; i < 32; i++) d[580 + 268 + i] = (byte) (i + 1);
        b.putInt(424 + 456, 2);                             // lr Cosine (tag at 880, payload at 888)
        b.putDouble(888, 4.0e-4);                           // base_lr
        b.putDouble(896, 0.0);                              // warmup_init_lr
        b.putDouble(904, 4.0e-5);                           // final_lr
        b.putInt(912, 250);                                 // warmup_steps
        b.putInt(916, 25_000);                              // total_steps
        b.putInt(424 + 512, 2);                             // optimizer Distro (tag 936, payload 940)
        d[940] = 1; b.putFloat(944, 1.0f);                  // clip_grad_norm Some(1.0): tag +0, value +4
        d[948] = 0;                                         // weight_decay None
        b.putFloat(956, 0.999f);                            // compression_decay
        b.putShort(960, (short) 2);                         // compression_topk
        b.putShort(962, (short) 64);                        // compression_chunk
        d[964] = 0;                                         // quantize_1bit
        long[] cfg = {15, 30, 15, 1, 0, 60};                // config at 968: six u64
        for (int i = 0; i < 6; i++) b.putLong(968 + 8 * i, cfg[i]);
        b.putInt(1016, 25_000);                             // total_steps
        b.putShort(1020, (short) 1); b.putShort(1022, (short) 1); b.putShort(1024, (short) 0);
        b.putShort(1026, (short) 2048); b.putShort(1028, (short) 2048);
        d[1030] = 0; d[1031] = 3;                           // verification_percent, waiting_for_members_extra_time
        b.putShort(1032, (short) 4); b.putInt(1036, 77); b.putLong(1040, 123_456);   // progress
        // epoch_state at 1048; round 1 at 1048 + 14112 = 15160 holds one witness
        int r1 = 15_160;
        b.putLong(r1, 5); b.putLong(r1 + 8, 9); d[r1 + 16] = 1;                      // proof
        for (int i = 0; i < 8; i++) b.putLong(r1 + 24 + 8 * i, 100 + i);           // participant bloom keys
        b.putLong(r1 + 24 + 64, 0xffL);                                             // participant bits[0]
        b.putLong(r1 + 24 + 192 + 64 + 8 * 15, -1L);                                // broadcast bits[15]
        for (int i = 0; i < 32; i++) d[r1 + 408 + i] = (byte) (0xa0 + i);           // broadcast_merkle
        b.putLong(r1 + 14_080, 1);                          // witnesses len
        b.putLong(r1 + 14_088, 4096); b.putLong(r1 + 14_096, 42); b.putInt(r1 + 14_104, 3);
        b.putShort(r1 + 14_108, (short) 1);
        int clients = 1048 + 56_448;                        // one epoch client
        fill(d, clients, 32, (byte) 0x11); fill(d, clients + 32, 32, (byte) 0x22);
        d[clients + 64] = 1; b.putInt(clients + 68, 0);     // Dropped
        b.putLong(clients + 18_432, 1);
        int exited = 1048 + 74_888;                         // one exited client
        fill(d, exited, 32, (byte) 0x33); fill(d, exited + 32, 32, (byte) 0x44);
        d[exited + 64] = 2; b.putInt(exited + 68, 6);
        b.putLong(exited + 18_432, 1);
        b.putInt(1048 + 93_328, 1); b.putInt(1048 + 93_332, 70); b.putInt(1048 + 93_336, 0);
        b.putLong(1048 + 93_344, 1_700_000_000L); d[1048 + 93_352] = 1; d[1048 + 93_353] = 0;
        b.putLong(94_408, 1_700_000_123L); d[94_416] = 1;   // run_state_start, pending_pause
        fill(d, 94_424, 32, (byte) 0x11); fill(d, 94_424 + 32, 32, (byte) 0x22);     // SolanaClient 0
        b.putLong(94_424 + 72, 500); b.putLong(94_424 + 80, 0); b.putLong(94_424 + 88, 3);
        b.putLong(94_424 + 24_576, 1);                      // clients len
        b.putLong(94_424 + 24_584, 3);                      // next_active
        b.putLong(94_424 + 24_592, 1000); b.putLong(94_424 + 24_600, 0);            // current rates
        b.putLong(94_424 + 24_608, 1_000_000); b.putLong(94_424 + 24_616, 0);       // future rates
        d[119_048] = 0; d[119_049] = 1;
        put(d, 119_050, "test");                            // client_version
        b.putLong(119_152, 2);                              // nonce
        return d;
    }

    static void put(byte[] d, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, d, at, b.length);
    }

    static void fill(byte[] d, int at, int n, byte v) { for (int i = 0; i < n; i++) d[at + i] = v; }

    @Test
    void decodesEveryFieldAtTheSpecOffsets() {
        CoordinatorAccount acc = CoordinatorAccountCodec.decode(handBuiltAccount());
        InstanceState s = acc.state();
        assertEquals(2, acc.nonce());
        assertEquals("test", s.clientVersion());
        assertFalse(s.isWarmupFirstTick());
        assertTrue(s.isTrainingFirstTick());
        assertEquals(new RunMetadata("name", "desc", 1_100_000_000L, 32_768), s.metadata());
        CoordinatorState c = s.coordinator();
        assertEquals("test", c.runId());
        assertEquals(RunState.RoundTrain, c.runState());
        LlmModel m = c.model();
        assertEquals(2048, m.maxSeqLen());
        assertEquals(7, m.coldStartWarmupSteps());
        assertEquals(Architecture.HfDeepseek, m.architecture());
        assertEquals(new Checkpoint.Hub(new HubRepo("emozilla/llama2-1.1b-gqa-init", Optional.of("main"))), m.checkpoint());
        byte[] seed = new byte[32];
        for (int i = 0; i < 32; i++) seed[i] = (byte) (i + 1);
        assertEquals(new DataLocation.Http(new HttpLocation.Gcp("nous-pretraining-public-us", "fineweb-edu-tokenized-llama2"),
                TokenSize.FourBytes, new Shuffle.Seeded(seed)), m.dataLocation());
        assertEquals(new LrSchedule.Cosine(4.0e-4, 0.0, 4.0e-5, 250, 25_000), m.lrSchedule());
        assertEquals(new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 2, 64, false), m.optimizer());
        assertEquals(new CoordinatorConfig(15, 30, 15, 1, 0, 60, 25_000, 1, 1, 0, 2048, 2048, 0, 3), c.config());
        assertEquals(new Progress(4, 77, 123_456), c.progress());
        EpochState e = c.epochState();
        Round r1 = e.rounds().get(1);
        assertEquals(1, r1.witnesses().size());
        Witness w = r1.witnesses().get(0);
        assertEquals(new WitnessProof(5, 9, true), w.proof());
        assertEquals(100, w.participantBloom().key(0));
        assertEquals(107, w.participantBloom().key(7));
        assertEquals(0xff, w.participantBloom().word(0));
        assertEquals(-1L, w.broadcastBloom().word(15));
        assertEquals((byte) 0xa0, w.broadcastMerkle()[0]);
        assertEquals(4096, r1.dataIndex());
        assertEquals(42, r1.randomSeed());
        assertEquals(3, r1.height());
        assertEquals(1, r1.clientsLen());
        assertEquals(Round.empty(), e.rounds().get(0));
        assertEquals(1, e.clients().size());
        assertEquals(ClientState.Dropped, e.clients().get(0).state());
        assertEquals("11111111", e.clients().get(0).id().shortId());
        assertEquals(ClientState.Withdrawn, e.exitedClients().get(0).state());
        assertEquals(6, e.exitedClients().get(0).exitedHeight());
        assertEquals(1, e.roundsHead());
        assertEquals(70, e.startStep());
        assertEquals(1_700_000_000L, e.startTimestamp());
        assertTrue(e.firstRound());
        assertEquals(1_700_000_123L, c.runStateStartUnixTimestamp());
        assertTrue(c.pendingPause());
        ClientsState cs = s.clientsState();
        assertEquals(1, cs.clients().size());
        assertEquals(500, cs.clients().get(0).earned());
        assertEquals(3, cs.clients().get(0).active());
        assertEquals(3, cs.nextActive());
        assertEquals(new Rates(1000, 0), cs.currentEpochRates());
        assertEquals(new Rates(1_000_000, 0), cs.futureEpochRates());
    }

    @Test
    void decodeThenEncodeGivesTheSameBytes() {
        byte[] original = handBuiltAccount();
        assertArrayEquals(original, CoordinatorAccountCodec.encode(CoordinatorAccountCodec.decode(original)));
    }

    @Test
    void freshRunEncodesAsAllZeroBeyondHeaderStrings() {
        byte[] d = new CoordinatorAccount(InstanceState.created("run", "v1"), 0).encode();
        assertEquals(119_160, d.length);
        assertEquals("ef21b1372c9b562b0100000000000000", Borsh.hex(java.util.Arrays.copyOf(d, 16)));
        assertEquals('r', d[376]);
        assertEquals('v', d[119_050]);
    }

    @Property(tries = 60)
    void encodeThenDecodeRoundTrips(@ForAll long seed) {
        InstanceState state = RandomStates.instance(new Random(seed));
        CoordinatorAccount acc = new CoordinatorAccount(state, seed);
        byte[] bytes = acc.encode();
        CoordinatorAccount back = CoordinatorAccount.decode(bytes);
        assertEquals(acc, back);
        assertArrayEquals(bytes, back.encode());
    }

    @Test
    void tooLongStringsAreRejectedOnEncode() {
        InstanceState s = InstanceState.created("x".repeat(33), "v");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CoordinatorAccount(s, 0).encode());
        assertTrue(e.getMessage().contains("run_id"), e.getMessage());
    }
}
