package psyche.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static psyche.config.Severity.ERROR;
import static psyche.config.Severity.WARNING;
import static psyche.config.TestToml.set;
import static psyche.config.TestToml.withCheckpoint;
import static psyche.config.TestToml.withData;
import static psyche.config.TestToml.withLr;
import static psyche.config.TestToml.withOptimizer;

/** One failing config per rule: each must report its key path, severity and message. */
class Validation_CheckTest {
    private static final String C = "config.";
    private static final String M = "model.LLM.";
    private static final String E66 = "€".repeat(22);   // 22 characters, 66 bytes in UTF-8
    private static final String HTTP = "[model.LLM.data_location.Http]\ntoken_size_in_bytes = \"TwoBytes\"\nshuffle = \"DontShuffle\"\n";

    private static Arguments rule(String name, String toml, Severity severity, String keyPath, String message) {
        return arguments(name, toml, null, severity, keyPath, message);
    }

    private static Arguments ruleWithClients(String name, String toml, int clients, Severity severity, String keyPath,
                                             String message) {
        return arguments(name, toml, clients, severity, keyPath, message);
    }

    private static String numbered(String template, String numFiles) {
        return HTTP + "[model.LLM.data_location.Http.location.NumberedFiles]\nurl_template = \"" + template
                + "\"\nstart_index = 0\nn_left_pad_zeros = 0\nnum_files = " + numFiles;
    }

    private static String gcp(String bucket, String filter) {
        return HTTP + "[model.LLM.data_location.Http.location.Gcp]\nbucket_name = \"" + bucket + "\"\nfilter_directory = \"" + filter + "\"";
    }

    private static String singleUrl(String url) {
        return HTTP + "location = { SingleUrl = \"" + url + "\" }";
    }

    private static final String ADAMW = "[model.LLM.optimizer.AdamW]\nbetas = [0.9, 0.95]\nweight_decay = 0.1\neps = 1e-8\nclip_grad_norm = 1.0";

    static Stream<Arguments> rules() {
        return Stream.of(
                // CoordinatorConfig::check_error
                rule("epoch_time == 0", set("epoch_time", "0"), ERROR, C + "epoch_time", "config rejected: epoch_time (0) must be > 0"),
                rule("warmup >= epoch", set("warmup_time", "60"), ERROR, C + "warmup_time", "config rejected: warmup_time (60) must be < epoch_time (60)"),
                rule("max_round_train_time == 0", set("max_round_train_time", "0"), ERROR, C + "max_round_train_time", "config rejected: max_round_train_time (0) must be > 0"),
                rule("max_round_train_time >= epoch", set("max_round_train_time", "60"), ERROR, C + "max_round_train_time", "config rejected: max_round_train_time (60) must be < epoch_time (60)"),
                rule("round_witness_time == 0", set("round_witness_time", "0"), ERROR, C + "round_witness_time", "config rejected: round_witness_time (0) must be > 0"),
                rule("min_clients == 0", set(set("min_clients", "0"), "witness_nodes", "0"), ERROR, C + "min_clients", "config rejected: min_clients (0) must be > 0"),
                rule("init_min < min", set(set("min_clients", "3"), "init_min_clients", "2"), ERROR, C + "init_min_clients", "config rejected: init_min_clients (2) must be >= min_clients (3)"),
                rule("init_min > 256", set(set("init_min_clients", "257"), "global_batch_size_end", "300"), ERROR, C + "init_min_clients", "config rejected: init_min_clients (257) must be <= 256"),
                rule("gbs_start == 0", set("global_batch_size_start", "0"), ERROR, C + "global_batch_size_start", "config rejected: global_batch_size_start (0) must be > 0"),
                rule("gbs_end == 0", set("global_batch_size_end", "0"), ERROR, C + "global_batch_size_end", "config rejected: global_batch_size_end (0) must be > 0"),
                rule("gbs_end < gbs_start", set("global_batch_size_end", "3"), ERROR, C + "global_batch_size_end", "config rejected: global_batch_size_end (3) must be >= global_batch_size_start (4)"),
                rule("total_steps == 0", set("total_steps", "0"), ERROR, C + "total_steps", "config rejected: total_steps (0) must be > 0"),
                rule("witness_nodes > min_clients", set("witness_nodes", "2"), ERROR, C + "witness_nodes", "config rejected: witness_nodes (2) must be <= min_clients (1)"),
                rule("witness_nodes > 32", set(set(set(set("witness_nodes", "33"), "min_clients", "40"), "init_min_clients", "40"), "global_batch_size_end", "64"), ERROR, C + "witness_nodes", "config rejected: witness_nodes (33) must be <= 32"),
                rule("cooldown_time == 0", set("cooldown_time", "0"), ERROR, C + "cooldown_time", "config rejected: cooldown_time (0) must be > 0"),
                rule("waiting extra == 0", set("waiting_for_members_extra_time", "0"), ERROR, C + "waiting_for_members_extra_time", "config rejected: waiting_for_members_extra_time (0) must be > 0"),
                rule("cold start > rounds", set("cold_start_warmup_steps", "6"), ERROR, M + "cold_start_warmup_steps", "cold_start_warmup_steps (6) exceeds the estimated training rounds per epoch ((epoch_time 60 - warmup_time 10) / max_round_train_time 10 = 5)"),
                // Model::check
                rule("max_seq_len == 0", set("max_seq_len", "0"), ERROR, M + "max_seq_len", "model rejected: max_seq_len (0) must be > 0"),
                rule("Ephemeral checkpoint", withCheckpoint("[model.LLM]\n").replace("cold_start_warmup_steps = 0\n", "cold_start_warmup_steps = 0\ncheckpoint = \"Ephemeral\"\n").replace("\n[model.LLM]\n\n", "\n"), ERROR, M + "checkpoint", "model rejected: an Ephemeral checkpoint is not allowed"),
                rule("Hub repo_id empty", withCheckpoint("[model.LLM.checkpoint.Hub]\nrepo_id = \"\""), ERROR, M + "checkpoint.Hub.repo_id", "model rejected: checkpoint repo_id must not be empty"),
                rule("P2P repo_id empty", withCheckpoint("[model.LLM.checkpoint.P2P]\nrepo_id = \"\""), ERROR, M + "checkpoint.P2P.repo_id", "model rejected: checkpoint repo_id must not be empty"),
                rule("Gcs bucket empty", withCheckpoint("[model.LLM.checkpoint.Gcs]\nbucket = \"\""), ERROR, M + "checkpoint.Gcs.bucket", "model rejected: checkpoint bucket must not be empty"),
                rule("P2PGcs bucket empty", withCheckpoint("[model.LLM.checkpoint.P2PGcs]\nbucket = \"\""), ERROR, M + "checkpoint.P2PGcs.bucket", "model rejected: checkpoint bucket must not be empty"),
                rule("Dummy optimizer", withOptimizer("").replace("cold_start_warmup_steps = 0\n", "cold_start_warmup_steps = 0\noptimizer = \"Dummy\"\n"), ERROR, M + "optimizer", "model rejected: the Dummy optimizer is not allowed"),
                rule("Server empty", withData("[model.LLM.data_location]\nServer = \"\""), ERROR, M + "data_location.Server", "model rejected: bad data location: Server address must not be empty"),
                rule("SingleUrl empty", withData(singleUrl("")), ERROR, M + "data_location.Http.location.SingleUrl", "model rejected: bad data location: SingleUrl must not be empty"),
                rule("url_template empty", withData(numbered("", "3")), ERROR, M + "data_location.Http.location.NumberedFiles.url_template", "model rejected: bad data location: url_template must not be empty"),
                rule("num_files == 0", withData(numbered("https://h/{}.ds", "0")), ERROR, M + "data_location.Http.location.NumberedFiles.num_files", "model rejected: bad data location: num_files (0) must be > 0"),
                rule("Gcp bucket empty", withData(gcp("", "dir")), ERROR, M + "data_location.Http.location.Gcp.bucket_name", "model rejected: bad data location: bucket_name must not be empty"),
                rule("WeightedHttp empty", withData("[model.LLM.data_location]\nWeightedHttp = \"\""), ERROR, M + "data_location.WeightedHttp", "model rejected: bad data location: WeightedHttp url must not be empty"),
                rule("Preprocessed empty", withData("[model.LLM.data_location]\nPreprocessed = \"\""), ERROR, M + "data_location.Preprocessed", "model rejected: bad data location: Preprocessed location must not be empty"),
                // FixedString truncation, in UTF-8 bytes
                rule("repo_id > 64 bytes", withCheckpoint("[model.LLM.checkpoint.Hub]\nrepo_id = \"" + E66 + "\""), ERROR, M + "checkpoint.Hub.repo_id", "repo_id is 66 bytes in UTF-8; Psyche silently truncates it to 64 bytes"),
                rule("revision > 64 bytes", withCheckpoint("[model.LLM.checkpoint.Hub]\nrepo_id = \"a/b\"\nrevision = \"" + "r".repeat(65) + "\""), ERROR, M + "checkpoint.Hub.revision", "revision is 65 bytes in UTF-8; Psyche silently truncates it to 64 bytes"),
                rule("Gcs bucket > 64 bytes", withCheckpoint("[model.LLM.checkpoint.Gcs]\nbucket = \"" + "b".repeat(65) + "\""), ERROR, M + "checkpoint.Gcs.bucket", "bucket is 65 bytes in UTF-8; Psyche silently truncates it to 64 bytes"),
                rule("Gcs prefix > 64 bytes", withCheckpoint("[model.LLM.checkpoint.Gcs]\nbucket = \"b\"\nprefix = \"" + "p".repeat(65) + "\""), ERROR, M + "checkpoint.Gcs.prefix", "prefix is 65 bytes in UTF-8; Psyche silently truncates it to 64 bytes"),
                rule("Server > 64 bytes", withData("[model.LLM.data_location]\nServer = \"" + "s".repeat(65) + "\""), ERROR, M + "data_location.Server", "Server is 65 bytes in UTF-8; Psyche silently truncates it to 64 bytes"),
                rule("Local > 192 bytes", withData("[model.LLM.data_location]\nLocal = \"" + "l".repeat(193) + "\""), ERROR, M + "data_location.Local", "Local is 193 bytes in UTF-8; Psyche silently truncates it to 192 bytes"),
                rule("SingleUrl > 192 bytes", withData(singleUrl("u".repeat(193))), ERROR, M + "data_location.Http.location.SingleUrl", "SingleUrl is 193 bytes in UTF-8; Psyche silently truncates it to 192 bytes"),
                rule("url_template > 64 bytes", withData(numbered("{}" + "t".repeat(63), "3")), ERROR, M + "data_location.Http.location.NumberedFiles.url_template", "url_template is 65 bytes in UTF-8; Psyche silently truncates it to 64 bytes"),
                rule("bucket_name > 64 bytes", withData(gcp(E66, "")), ERROR, M + "data_location.Http.location.Gcp.bucket_name", "bucket_name is 66 bytes in UTF-8; Psyche silently truncates it to 64 bytes"),
                rule("filter_directory > 192 bytes", withData(gcp("b", "f".repeat(193))), ERROR, M + "data_location.Http.location.Gcp.filter_directory", "filter_directory is 193 bytes in UTF-8; Psyche silently truncates it to 192 bytes"),
                rule("WeightedHttp > 192 bytes", withData("[model.LLM.data_location]\nWeightedHttp = \"" + "w".repeat(193) + "\""), ERROR, M + "data_location.WeightedHttp", "WeightedHttp is 193 bytes in UTF-8; Psyche silently truncates it to 192 bytes"),
                rule("Preprocessed > 192 bytes", withData("[model.LLM.data_location]\nPreprocessed = \"" + "p".repeat(193) + "\""), ERROR, M + "data_location.Preprocessed", "Preprocessed is 193 bytes in UTF-8; Psyche silently truncates it to 192 bytes"),
                rule("NUL in a fixed string", withCheckpoint("[model.LLM.checkpoint.Hub]\nrepo_id = \"a\\u0000b\""), ERROR, M + "checkpoint.Hub.repo_id", "contains a NUL character"),
                // ours
                rule("{} missing in url_template", withData(numbered("https://h/data.ds", "3")), ERROR, M + "data_location.Http.location.NumberedFiles.url_template", "url_template must contain \"{}\" exactly once (found 0)"),
                rule("{} twice in url_template", withData(numbered("https://h/{}/{}.ds", "3")), ERROR, M + "data_location.Http.location.NumberedFiles.url_template", "url_template must contain \"{}\" exactly once (found 2)"),
                rule("cosine length != total_steps", withLr("[model.LLM.lr_schedule.Cosine]\nbase_lr = 1e-3\nwarmup_init_lr = 0.0\nfinal_lr = 1e-4\nwarmup_steps = 10\ntotal_steps = 150"), WARNING, M + "lr_schedule.Cosine.total_steps", "the schedule's total_steps (150) differs from config.total_steps (200); the schedule ends early"),
                rule("linear length != total_steps", withLr("[model.LLM.lr_schedule.Linear]\nbase_lr = 1e-3\nwarmup_init_lr = 0.0\nfinal_lr = 1e-4\nwarmup_steps = 10\ntotal_steps = 300"), WARNING, M + "lr_schedule.Linear.total_steps", "the schedule's total_steps (300) differs from config.total_steps (200); training stops before the decay ends"),
                rule("WSD length != total_steps", withLr("[model.LLM.lr_schedule.WarmupStableDecay]\nbase_lr = 1e-3\nwarmup_init_lr = 0.0\ncosine_decay_final_lr = 1e-4\nlinear_decay_final_lr = 1e-5\nwarmup_steps = 10\nstable_steps = 100\ncosine_decay_steps = 50\nlinear_decay_steps = 10"), WARNING, M + "lr_schedule.WarmupStableDecay.stable_steps", "the schedule lasts 170 steps (warmup + stable + cosine_decay + linear_decay) but config.total_steps is 200"),
                rule("cosine total <= warmup", withLr("[model.LLM.lr_schedule.Cosine]\nbase_lr = 1e-3\nwarmup_init_lr = 0.0\nfinal_lr = 1e-4\nwarmup_steps = 10\ntotal_steps = 10"), ERROR, M + "lr_schedule.Cosine.total_steps", "cosine total_steps (10) must be > warmup_steps (10)"),
                rule("WSD cosine final > base", withLr("[model.LLM.lr_schedule.WarmupStableDecay]\nbase_lr = 1e-3\nwarmup_init_lr = 0.0\ncosine_decay_final_lr = 2e-3\nlinear_decay_final_lr = 1e-5\nwarmup_steps = 10\nstable_steps = 130\ncosine_decay_steps = 50\nlinear_decay_steps = 10"), ERROR, M + "lr_schedule.WarmupStableDecay.cosine_decay_final_lr", "cosine_decay_final_lr (0.002) must be <= base_lr (0.001); clients assert it and crash"),
                rule("WSD linear final > cosine final", withLr("[model.LLM.lr_schedule.WarmupStableDecay]\nbase_lr = 1e-3\nwarmup_init_lr = 0.0\ncosine_decay_final_lr = 1e-4\nlinear_decay_final_lr = 2e-4\nwarmup_steps = 10\nstable_steps = 130\ncosine_decay_steps = 50\nlinear_decay_steps = 10"), ERROR, M + "lr_schedule.WarmupStableDecay.linear_decay_final_lr", "linear_decay_final_lr (2.0E-4) must be <= cosine_decay_final_lr (1.0E-4)"),
                rule("negative lr", set("warmup_init_lr", "-1e-4"), ERROR, M + "lr_schedule.Cosine.warmup_init_lr", "warmup_init_lr (-1.0E-4) must be a finite number >= 0"),
                rule("non-finite lr", set("final_lr", "nan"), ERROR, M + "lr_schedule.Cosine.final_lr", "final_lr (NaN) must be a finite number >= 0"),
                rule("infinite lr", set("base_lr", "inf"), ERROR, M + "lr_schedule.Cosine.base_lr", "base_lr (Infinity) must be a finite number >= 0"),
                rule("topk > chunk²", set(set("compression_chunk", "2"), "compression_topk", "5"), ERROR, M + "optimizer.Distro.compression_topk", "compression_topk (5) exceeds compression_chunk² (4)"),
                rule("chunk == 0", set("compression_chunk", "0"), ERROR, M + "optimizer.Distro.compression_chunk", "compression_chunk (0) must be > 0"),
                rule("topk == 0", set("compression_topk", "0"), WARNING, M + "optimizer.Distro.compression_topk", "compression_topk (0) is raised to 1 by clients"),
                rule("clip <= 0", set("clip_grad_norm", "0.0"), ERROR, M + "optimizer.Distro.clip_grad_norm", "clip_grad_norm (0.0) must be a finite number > 0"),
                rule("clip non-finite", withOptimizer(ADAMW.replace("clip_grad_norm = 1.0", "clip_grad_norm = inf")), ERROR, M + "optimizer.AdamW.clip_grad_norm", "clip_grad_norm (Infinity) must be a finite number > 0"),
                rule("AdamW weight decay >= 1", withOptimizer(ADAMW.replace("weight_decay = 0.1", "weight_decay = 1.0")), ERROR, M + "optimizer.AdamW.weight_decay", "weight_decay (1.0) must be in [0, 1)"),
                rule("Distro weight decay < 0", withOptimizer(TestToml.OPTIMIZER + "weight_decay = -0.1\n"), ERROR, M + "optimizer.Distro.weight_decay", "weight_decay (-0.1) must be in [0, 1)"),
                rule("compression_decay >= 1", set("compression_decay", "1.0"), ERROR, M + "optimizer.Distro.compression_decay", "compression_decay (1.0) must be in [0, 1)"),
                rule("beta outside [0,1)", withOptimizer(ADAMW.replace("[0.9, 0.95]", "[0.9, 1.5]")), ERROR, M + "optimizer.AdamW.betas", "beta2 (1.5) must be in [0, 1)"),
                rule("eps <= 0", withOptimizer(ADAMW.replace("eps = 1e-8", "eps = 0.0")), ERROR, M + "optimizer.AdamW.eps", "eps (0.0) must be a finite number > 0"),
                rule("init_min > gbs_end", set("init_min_clients", "9"), ERROR, C + "init_min_clients", "init_min_clients (9) must be <= global_batch_size_end (8): joins are refused"),
                rule("verification_percent != 0", set("verification_percent", "10"), ERROR, C + "verification_percent", "verification_percent (10) must be 0: real clients refuse"),
                ruleWithClients("expected clients > gbs_end", TestToml.VALID, 9, ERROR, C + "global_batch_size_end", "expecting 9 clients, but joins are refused once registered clients reach global_batch_size_end (8, MoreClientsThanBatches), so at most 8 can join"),
                ruleWithClients("expected clients < init_min", TestToml.VALID, 1, WARNING, C + "init_min_clients", "expecting 1 clients, fewer than init_min_clients (2): no epoch will ever start"),
                rule("AdamW with several clients", withOptimizer(ADAMW), WARNING, M + "optimizer", "AdamW shares nothing between clients, yet init_min_clients is 2"),
                ruleWithClients("AdamW with expected clients", withOptimizer(ADAMW), 3, WARNING, M + "optimizer", "AdamW shares nothing between clients, yet 3 clients are expected"),
                rule("Local data", withData("[model.LLM.data_location]\nLocal = \"datasets/tiny\""), WARNING, M + "data_location.Local", "a Local data location is not implemented by real Psyche clients"),
                rule("Dummy data", withData("").replace("cold_start_warmup_steps = 0\n", "cold_start_warmup_steps = 0\ndata_location = \"Dummy\"\n"), WARNING, M + "data_location", "the Dummy data location feeds synthetic tokens"),
                rule("Dummy checkpoint", withCheckpoint("[model.LLM.checkpoint.Dummy]\nrepo_id = \"\""), WARNING, M + "checkpoint", "a Dummy checkpoint gives real clients no model to download"),
                // integer ranges Psyche cannot hold
                rule("u8 overflow", set("waiting_for_members_extra_time", "300"), ERROR, C + "waiting_for_members_extra_time", "waiting_for_members_extra_time (300) is outside the range of u8 (0..255)"),
                rule("u16 overflow", set("global_batch_size_end", "70000"), ERROR, C + "global_batch_size_end", "global_batch_size_end (70000) is outside the range of u16 (0..65535)"),
                rule("u32 overflow", set("max_seq_len", "5000000000"), ERROR, M + "max_seq_len", "max_seq_len (5000000000) is outside the range of u32 (0..4294967295)"),
                rule("u64 negative", set("cooldown_time", "-5"), ERROR, C + "cooldown_time", "cooldown_time (-5) is outside the range of u64"),
                rule("u8 overflow in data", withData(numbered("https://h/{}.ds", "3").replace("n_left_pad_zeros = 0", "n_left_pad_zeros = 256")), ERROR, M + "data_location.Http.location.NumberedFiles.n_left_pad_zeros", "n_left_pad_zeros (256) is outside the range of u8"),
                // reading
                rule("unknown key", set("clip_grad_norm", "1.0").replace("clip_grad_norm", "clip_grad_nrom"), ERROR, M + "optimizer.Distro.clip_grad_nrom", "unknown key `clip_grad_nrom` (line 39), did you mean `clip_grad_norm`?"),
                rule("wrong type", set("total_steps", "\"200\""), ERROR, C + "total_steps", "wrong type: expected integer (u32), found string"),
                rule("missing key", TestToml.VALID.replace("epoch_time = 60\n", ""), ERROR, C + "epoch_time", "missing required key config.epoch_time"),
                rule("unknown variant", TestToml.VALID.replace("[model.LLM.lr_schedule.Cosine]", "[model.LLM.lr_schedule.Cosin]"), ERROR, M + "lr_schedule", "unknown variant `Cosin`, did you mean `Cosine`?"),
                rule("unknown unit variant", set("architecture", "\"HfLLama\""), ERROR, M + "architecture", "unknown variant `HfLLama`, did you mean `HfLlama`?"),
                rule("data variant as string", withCheckpoint("").replace("cold_start_warmup_steps = 0\n", "cold_start_warmup_steps = 0\ncheckpoint = \"Hub\"\n"), ERROR, M + "checkpoint", "variant Hub needs data"),
                rule("malformed TOML", set("warmup_time", "= 10"), ERROR, "", "malformed TOML at line 2, column 15"));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("rules")
    void eachRuleReportsKeyPathAndMessage(String name, String toml, Integer clients, Severity severity, String keyPath,
                                          String message) {
        ValidationOptions options = clients == null ? ValidationOptions.defaults() : ValidationOptions.expectingClients(clients);
        ValidationReport report = ConfigCheck.ofString(name, toml, options).report();
        assertTrue(report.violations().stream().anyMatch(v -> v.severity() == severity && v.keyPath().equals(keyPath)
                        && v.rule().contains(message)),
                () -> "expected " + severity + " at '" + keyPath + "' containing: " + message + "\nbut got:\n" + report.render());
        if (severity == ERROR) assertFalse(report.isValid());
        else assertTrue(report.isValid(), report::render);
    }

    @Test void theBaseConfigHasNoFindings() {
        ValidationReport report = ConfigCheck.ofString("base", TestToml.VALID, ValidationOptions.expectingClients(3)).report();
        assertEquals(java.util.List.of(), report.violations(), report::render);
    }

    @Test void sampleConfigsHaveOnlyTheExpectedFindings() {
        ValidationReport tiny = ConfigCheck.of(SampleConfigs.path("tiny.toml"), ValidationOptions.defaults()).report();
        assertEquals(1, tiny.violations().size(), tiny::render);
        assertEquals(M + "data_location.Local", tiny.warnings().get(0).keyPath());
        ValidationReport big = ConfigCheck.of(SampleConfigs.path("consilience-40b.toml"), ValidationOptions.expectingClients(64)).report();
        assertEquals(java.util.List.of(), big.violations(), big::render);
    }

    @Test void everyProblemIsReportedAtOnce() {
        String toml = set(set(set(TestToml.VALID, "warmup_time", "60"), "verification_percent", "5"), "compression_decay", "1.5")
                .replace("repo_id = \"owner/model\"", "repo_id = \"\"");
        ValidationReport report = ConfigCheck.ofString("many", toml, ValidationOptions.defaults()).report();
        assertEquals(4, report.errors().size(), report::render);
    }

    @Test void readProblemsAreCollectedTogether() {
        String toml = TestToml.VALID.replace("epoch_time = 60\n", "").replace("max_seq_len = 128", "max_seq_len = \"128\"")
                .replace("quantize_1bit = true", "quantize_1bit = true\nquantise = 1");
        LoadedConfig loaded = RunConfigs.loadString(toml);
        assertTrue(loaded.config().isEmpty());
        assertEquals(java.util.List.of(C + "epoch_time", M + "max_seq_len", M + "optimizer.Distro.quantise"),
                loaded.violations().stream().map(Violation::keyPath).toList());
    }

    @Test void metadataClientVersionAndRunIdLimits() {
        ValidationReport m = Validation.checkMetadata(new RunMetadata("n".repeat(65), "d".repeat(281), 1, -1));
        assertEquals(java.util.List.of("metadata.name", "metadata.description", "metadata.vocab_size"),
                m.errors().stream().map(Violation::keyPath).toList());
        assertTrue(m.errors().get(1).rule().contains("description is 281 bytes in UTF-8; Psyche silently truncates it to 280 bytes"));
        ValidationReport v = Validation.checkClientVersion("v".repeat(97));
        assertTrue(v.errors().get(0).rule().contains("client_version is 97 bytes in UTF-8; Psyche silently truncates it to 96 bytes"));
        assertTrue(Validation.checkClientVersion("sha256:" + "a".repeat(64)).isValid());
        ValidationReport id = Validation.checkRunId("ü".repeat(17));
        assertEquals("run_id", id.errors().get(0).keyPath());
        assertTrue(id.errors().get(0).rule().contains("run_id is 34 bytes in UTF-8; the limit is 32"));
        assertTrue(Validation.checkRunId("r".repeat(32)).isValid());
        assertFalse(Validation.checkRunId("").isValid());
    }

    @Test void stateTomlRunIdIsChecked() {
        CentralizedState s = new CentralizedState("x".repeat(33), psyche.coordinator.RunState.WaitingForMembers,
                RunConfigs.parse(TestToml.VALID));
        ValidationReport r = Validation.check(s, ValidationOptions.defaults());
        assertEquals(java.util.List.of("run_id"), r.errors().stream().map(Violation::keyPath).toList());
    }

    @Test void fixesAreOneLine() {
        rules().forEach(a -> {
            Object[] args = a.get();
            ConfigCheck.ofString("x", (String) args[1], ValidationOptions.defaults()).report().violations()
                    .forEach(v -> assertFalse(v.fix().contains("\n"), v.fix()));
        });
    }

    @Test void aFreshlyCreatedRunsZeroedConfigIsRejectedWithoutExceptions() {
        ValidationReport report = Validation.check(new RunConfig(CoordinatorConfig.zeroed(), LlmModel.zeroed()));
        java.util.List<String> paths = report.errors().stream().map(Violation::keyPath).toList();
        assertTrue(paths.containsAll(java.util.List.of(C + "epoch_time", C + "min_clients", C + "total_steps",
                M + "max_seq_len", M + "checkpoint", M + "optimizer")), report::render);
    }

    @Test void reportRendersEachViolationWithItsFixAndACount() {
        ValidationReport report = ConfigCheck.ofString("x", set("warmup_time", "60"), ValidationOptions.defaults()).report();
        assertEquals("""
                ERROR   config.warmup_time = 60: config rejected: warmup_time (60) must be < epoch_time (60)
                        fix: lower warmup_time below 60 or raise epoch_time above 60
                1 error, 0 warnings
                """, report.render());
    }
}
