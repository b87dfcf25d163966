package psyche.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import psyche.coordinator.RunState;

import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** read → write → read gives an equal config for every variant of every enum. */
class RunConfigs_RoundTripTest {
    static final CoordinatorConfig CONFIG = new CoordinatorConfig(15, 30, 15, 1, 0, 60, 25000, 1, 1, 0, 2048, 2048, 0, 3);
    static final LlmModel MODEL = new LlmModel(2048, 0, Architecture.HfLlama,
            new Checkpoint.Hub(HubRepo.of("emozilla/llama2-1.1b-gqa-init")), DataType.Pretraining,
            new DataLocation.Http(new HttpLocation.Gcp("nous-pretraining-public-us", "fineweb-edu-tokenized-llama2"),
                    TokenSize.TwoBytes, new Shuffle.DontShuffle()),
            new LrSchedule.Cosine(4.0e-4, 0.0, 4.0e-5, 250, 25000),
            new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 2, 64, false));

    static byte[] seed() {
        byte[] seed = new byte[32];
        IntStream.range(0, 32).forEach(i -> seed[i] = (byte) (i * 8 + 3)); // includes values above 127
        return seed;
    }

    static Stream<Arguments> checkpoints() {
        return Stream.of(new Checkpoint.Ephemeral(), new Checkpoint.Dummy(HubRepo.of("")),
                new Checkpoint.Hub(new HubRepo("a/b", Optional.of("main"))), new Checkpoint.Hub(HubRepo.of("a/b")),
                new Checkpoint.P2P(new HubRepo("a/b", Optional.of("0123abc"))), new Checkpoint.Gcs(GcsRepo.of("bucket")),
                new Checkpoint.Gcs(new GcsRepo("bucket", Optional.of("pre/fix"))),
                new Checkpoint.P2PGcs(new GcsRepo("bucket", Optional.of("p")))).map(Arguments::of);
    }

    static Stream<Arguments> dataLocations() {
        return Stream.of(new DataLocation.Dummy(), new DataLocation.Server("127.0.0.1:20001"),
                new DataLocation.Local("datasets/tiny"), new DataLocation.WeightedHttp("https://h/weights.json"),
                new DataLocation.Preprocessed("org/dataset"),
                new DataLocation.Http(new HttpLocation.SingleUrl("https://h/a.ds"), TokenSize.FourBytes, new Shuffle.DontShuffle()),
                new DataLocation.Http(new HttpLocation.NumberedFiles("https://h/{}.ds", 7, 5, 100), TokenSize.TwoBytes,
                        new Shuffle.Seeded(seed())),
                new DataLocation.Http(new HttpLocation.Gcp("bucket", ""), TokenSize.TwoBytes, new Shuffle.Seeded(new byte[32])))
                .map(Arguments::of);
    }

    static Stream<Arguments> lrSchedules() {
        return Stream.of(new LrSchedule.Constant(1e-3, 0.0, 10), new LrSchedule.Linear(1e-3, 1e-5, 1e-4, 10, 100),
                new LrSchedule.Cosine(4.0e-4, 0.0, 4.0e-5, 250, 25000),
                new LrSchedule.WarmupStableDecay(3e-4, 0.0, 3e-5, 3e-6, 2000, 33000, 12000, 3000),
                new LrSchedule.Constant(0.1 + 0.2, 1.0 / 3.0, 0)).map(Arguments::of);
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(new Optimizer.Dummy(), new Optimizer.AdamW(0.9f, 0.95f, 0.1f, 1e-8f, Optional.of(1.0f)),
                new Optimizer.AdamW(0.9f, 0.999f, 0.0f, 1e-6f, Optional.empty()),
                new Optimizer.Distro(Optional.empty(), Optional.of(0.1f), 0.999f, 8, 64, true),
                new Optimizer.Distro(Optional.of(0.5f), Optional.empty(), 0.95f, 2, 32, false)).map(Arguments::of);
    }

    private static void assertRoundTrip(RunConfig config) {
        String toml = RunConfigs.toToml(config);
        assertEquals(config, RunConfigs.parse(toml), () -> "round trip changed the config; TOML was:\n" + toml);
        assertEquals(toml, RunConfigs.toToml(RunConfigs.parse(toml)));
    }

    private static LlmModel model(Checkpoint c, DataLocation d, LrSchedule l, Optimizer o) {
        return new LlmModel(MODEL.maxSeqLen(), 7, MODEL.architecture(), c, MODEL.dataType(), d, l, o);
    }

    @ParameterizedTest @MethodSource("checkpoints")
    void everyCheckpoint(Checkpoint c) {
        assertRoundTrip(new RunConfig(CONFIG, model(c, MODEL.dataLocation(), MODEL.lrSchedule(), MODEL.optimizer())));
    }

    @ParameterizedTest @MethodSource("dataLocations")
    void everyDataLocation(DataLocation d) {
        assertRoundTrip(new RunConfig(CONFIG, model(MODEL.checkpoint(), d, MODEL.lrSchedule(), MODEL.optimizer())));
    }

    @ParameterizedTest @MethodSource("lrSchedules")
    void everyLrSchedule(LrSchedule l) {
        assertRoundTrip(new RunConfig(CONFIG, model(MODEL.checkpoint(), MODEL.dataLocation(), l, MODEL.optimizer())));
    }

    @ParameterizedTest @MethodSource("optimizers")
    void everyOptimizer(Optimizer o) {
        assertRoundTrip(new RunConfig(CONFIG, model(MODEL.checkpoint(), MODEL.dataLocation(), MODEL.lrSchedule(), o)));
    }

    @ParameterizedTest @EnumSource(Architecture.class)
    void everyArchitecture(Architecture a) {
        assertRoundTrip(new RunConfig(CONFIG, new LlmModel(1, 0, a, MODEL.checkpoint(), DataType.Finetuning,
                MODEL.dataLocation(), MODEL.lrSchedule(), MODEL.optimizer())));
    }

    @ParameterizedTest @EnumSource(DataType.class)
    void everyDataType(DataType t) {
        assertRoundTrip(new RunConfig(CONFIG, new LlmModel(1, 0, Architecture.HfAuto, MODEL.checkpoint(), t,
                MODEL.dataLocation(), MODEL.lrSchedule(), MODEL.optimizer())));
    }

    @Test void stringsWithQuotesBackslashesAndUnicodeSurvive() {
        assertRoundTrip(new RunConfig(CONFIG, model(new Checkpoint.Hub(HubRepo.of("we\"ird\\repo\tname €")),
                new DataLocation.Local("C:\\data\n"), MODEL.lrSchedule(), MODEL.optimizer())));
    }

    @Test void nonFiniteAndOutOfRangeValuesSurvive() {
        CoordinatorConfig bad = new CoordinatorConfig(-1, 0, 0, 0, 0, 0, 5_000_000_000L, 70000, 0, 0, 0, 0, 300, 0);
        assertRoundTrip(new RunConfig(bad, model(MODEL.checkpoint(), MODEL.dataLocation(),
                new LrSchedule.Constant(Double.NaN, Double.POSITIVE_INFINITY, 0),
                new Optimizer.AdamW(Float.NEGATIVE_INFINITY, 0.95f, 0.1f, 1e-8f, Optional.empty()))));
    }

    @ParameterizedTest @EnumSource(RunState.class)
    void centralizedStateEveryRunState(RunState state) {
        CentralizedState s = new CentralizedState("test-run", state, new RunConfig(CONFIG,
                model(MODEL.checkpoint(), new DataLocation.Server("127.0.0.1:20001"), MODEL.lrSchedule(), MODEL.optimizer())));
        String toml = RunConfigs.toToml(s);
        assertTrue(toml.startsWith("run_id = \"test-run\"\nrun_state = \"" + state.name() + "\"\n"), toml);
        assertEquals(s, RunConfigs.parseState(toml));
    }

    /** Psyche's config/solana-test/config.toml (spec §2), as Psyche writes it. */
    @Test void readsPsycheSolanaTestConfig() {
        String toml = """
                [config]
                warmup_time = 15
                cooldown_time = 30
                epoch_time = 60
                max_round_train_time = 15
                round_witness_time = 1
                min_clients = 1
                init_min_clients = 1
                verification_percent = 0
                witness_nodes = 0
                global_batch_size_start = 2048
                global_batch_size_end = 2048
                global_batch_size_warmup_tokens = 0
                total_steps = 25000
                waiting_for_members_extra_time = 3

                [model.LLM]
                architecture = "HfLlama"
                data_type = "Pretraining"
                max_seq_len = 2048
                cold_start_warmup_steps = 0

                [model.LLM.checkpoint.Hub]
                repo_id = "emozilla/llama2-1.1b-gqa-init"

                [model.LLM.data_location.Http]
                token_size_in_bytes = "TwoBytes"
                shuffle = "DontShuffle"

                [model.LLM.data_location.Http.location.Gcp]
                bucket_name = "nous-pretraining-public-us"
                filter_directory = "fineweb-edu-tokenized-llama2"

                [model.LLM.lr_schedule.Cosine]
                base_lr = 4.0e-4
                warmup_steps = 250
                warmup_init_lr = 0.0
                total_steps = 25000
                final_lr = 4.0e-5

                [model.LLM.optimizer.Distro]
                clip_grad_norm = 1.0
                compression_decay = 0.999
                compression_chunk = 64
                compression_topk = 2
                quantize_1bit = false
                """;
        assertEquals(new RunConfig(CONFIG, MODEL), RunConfigs.parse(toml));
    }

    @Test void theTwoSpellingsOfANewtypeVariantReadTheSame() {
        String inline = TestToml.withData("").replace("cold_start_warmup_steps = 0\n",
                "cold_start_warmup_steps = 0\ndata_location = { Local = \"datasets/tiny\" }\n");
        String table = TestToml.withData("[model.LLM.data_location]\nLocal = \"datasets/tiny\"");
        RunConfig a = RunConfigs.parse(inline), b = RunConfigs.parse(table);
        assertEquals(new DataLocation.Local("datasets/tiny"), b.model().dataLocation());
        assertEquals(a, b);
    }

    @Test void missingDataLocationIsDummyAsInSerdeDefault() {
        RunConfig c = RunConfigs.parse(TestToml.withData(""));
        assertEquals(new DataLocation.Dummy(), c.model().dataLocation());
    }

    @Test void integersAreAcceptedForFloats() {
        RunConfig c = RunConfigs.parse(TestToml.set("base_lr", "1"));
        assertEquals(1.0, c.model().lrSchedule().baseLr());
    }

    @Test void sampleConfigsRoundTrip() {
        for (String name : new String[] {"tiny.toml", "consilience-40b.toml"}) {
            RunConfig c = RunConfigs.read(SampleConfigs.path(name));
            assertRoundTrip(c);
        }
    }
}
