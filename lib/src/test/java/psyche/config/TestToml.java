package psyche.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A valid config with zero findings, as TOML sections, and text edits that break one rule at a time. */
final class TestToml {
    static final String CONFIG = """
            [config]
            warmup_time = 10
            cooldown_time = 5
            max_round_train_time = 10
            round_witness_time = 2
            global_batch_size_warmup_tokens = 0
            epoch_time = 60
            total_steps = 200
            init_min_clients = 2
            min_clients = 1
            witness_nodes = 1
            global_batch_size_start = 4
            global_batch_size_end = 8
            verification_percent = 0
            waiting_for_members_extra_time = 3

            """;
    static final String LLM = """
            [model.LLM]
            architecture = "HfLlama"
            data_type = "Pretraining"
            max_seq_len = 128
            cold_start_warmup_steps = 0

            """;
    static final String CHECKPOINT = """
            [model.LLM.checkpoint.Hub]
            repo_id = "owner/model"

            """;
    static final String DATA = """
            [model.LLM.data_location.Http]
            token_size_in_bytes = "TwoBytes"
            shuffle = "DontShuffle"
            location = { SingleUrl = "https://example.com/tokens.ds" }

            """;
    static final String LR = """
            [model.LLM.lr_schedule.Cosine]
            base_lr = 1.0e-3
            warmup_init_lr = 0.0
            final_lr = 1.0e-4
            warmup_steps = 10
            total_steps = 200

            """;
    static final String OPTIMIZER = """
            [model.LLM.optimizer.Distro]
            clip_grad_norm = 1.0
            compression_decay = 0.999
            compression_topk = 8
            compression_chunk = 64
            quantize_1bit = true
            """;

    static final String VALID = CONFIG + LLM + CHECKPOINT + DATA + LR + OPTIMIZER;

    private TestToml() {}

    /** {@link #VALID} with the first {@code key = ...} line set to {@code key = value}. */
    static String set(String key, String value) { return set(VALID, key, value); }

    static String set(String toml, String key, String value) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + " = .*$").matcher(toml);
        if (!m.find()) throw new IllegalArgumentException("no key " + key + " in test TOML");
        return toml.substring(0, m.start()) + key + " = " + Matcher.quoteReplacement(value).replace("\\$", "$")
                + toml.substring(m.end());
    }

    static String withCheckpoint(String section) { return VALID.replace(CHECKPOINT, section + "\n"); }

    static String withData(String section) { return VALID.replace(DATA, section + "\n"); }

    static String withLr(String section) { return VALID.replace(LR, section + "\n"); }

    static String withOptimizer(String section) { return VALID.replace(OPTIMIZER, section + "\n"); }

    static String repeat(String s, int times) { return s.repeat(times); }
}
