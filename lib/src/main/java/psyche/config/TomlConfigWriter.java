package psyche.config;

import java.util.Optional;

/**
 * Writes configs as TOML that Psyche's serde reads back: unit variants as strings, string-carrying variants as inline
 * tables ({@code data_location = { Local = "path" }}), struct variants as {@code [model.LLM.checkpoint.Hub]} tables.
 */
final class TomlConfigWriter {
    private final StringBuilder out = new StringBuilder();

    private TomlConfigWriter() {}

    static String write(RunConfig config) {
        TomlConfigWriter w = new TomlConfigWriter();
        w.body(config);
        return w.out.toString();
    }

    static String write(CentralizedState state) {
        TomlConfigWriter w = new TomlConfigWriter();
        w.kv("run_id", quote(state.runId()));
        w.kv("run_state", quote(state.runState().name()));
        w.out.append('\n');
        w.body(state.runConfig());
        return w.out.toString();
    }

    private void body(RunConfig rc) {
        CoordinatorConfig c = rc.config();
        header("config");
        kv("warmup_time", c.warmupTime());
        kv("cooldown_time", c.cooldownTime());
        kv("max_round_train_time", c.maxRoundTrainTime());
        kv("round_witness_time", c.roundWitnessTime());
        kv("global_batch_size_warmup_tokens", c.globalBatchSizeWarmupTokens());
        kv("epoch_time", c.epochTime());
        kv("total_steps", c.totalSteps());
        kv("init_min_clients", c.initMinClients());
        kv("min_clients", c.minClients());
        kv("witness_nodes", c.witnessNodes());
        kv("global_batch_size_start", c.globalBatchSizeStart());
        kv("global_batch_size_end", c.globalBatchSizeEnd());
        kv("verification_percent", c.verificationPercent());
        kv("waiting_for_members_extra_time", c.waitingForMembersExtraTime());

        LlmModel m = rc.model();
        out.append('\n');
        header("model.LLM");
        kv("architecture", quote(m.architecture().name()));
        kv("data_type", quote(m.dataType().name()));
        kv("max_seq_len", m.maxSeqLen());
        kv("cold_start_warmup_steps", m.coldStartWarmupSteps());
        // inline forms first: they must precede the sub-tables of [model.LLM]
        if (m.checkpoint() instanceof Checkpoint.Ephemeral) kv("checkpoint", quote("Ephemeral"));
        inlineDataLocation(m.dataLocation());
        if (m.optimizer() instanceof Optimizer.Dummy) kv("optimizer", quote("Dummy"));

        checkpoint(m.checkpoint());
        if (m.dataLocation() instanceof DataLocation.Http h) http(h);
        lrSchedule(m.lrSchedule());
        optimizer(m.optimizer());
    }

    private void inlineDataLocation(DataLocation d) {
        if (d instanceof DataLocation.Dummy) kv("data_location", quote("Dummy"));
        else if (d instanceof DataLocation.Server s) kv("data_location", "{ Server = " + quote(s.address()) + " }");
        else if (d instanceof DataLocation.Local l) kv("data_location", "{ Local = " + quote(l.path()) + " }");
        else if (d instanceof DataLocation.WeightedHttp w) kv("data_location", "{ WeightedHttp = " + quote(w.url()) + " }");
        else if (d instanceof DataLocation.Preprocessed p) kv("data_location", "{ Preprocessed = " + quote(p.location()) + " }");
    }

    private void checkpoint(Checkpoint c) {
        if (c instanceof Checkpoint.Dummy d) hubRepo("Dummy", d.repo());
        else if (c instanceof Checkpoint.Hub h) hubRepo("Hub", h.repo());
        else if (c instanceof Checkpoint.P2P p) hubRepo("P2P", p.repo());
        else if (c instanceof Checkpoint.Gcs g) gcsRepo("Gcs", g.repo());
        else if (c instanceof Checkpoint.P2PGcs g) gcsRepo("P2PGcs", g.repo());
    }

    private void hubRepo(String variant, HubRepo r) {
        section("model.LLM.checkpoint." + variant);
        kv("repo_id", quote(r.repoId()));
        r.revision().ifPresent(rev -> kv("revision", quote(rev)));
    }

    private void gcsRepo(String variant, GcsRepo r) {
        section("model.LLM.checkpoint." + variant);
        kv("bucket", quote(r.bucket()));
        r.prefix().ifPresent(prefix -> kv("prefix", quote(prefix)));
    }

    private void http(DataLocation.Http h) {
        section("model.LLM.data_location.Http");
        kv("token_size_in_bytes", quote(h.tokenSizeInBytes().name()));
        if (h.shuffle() instanceof Shuffle.Seeded s) {
            StringBuilder bytes = new StringBuilder();
            for (byte b : s.seed()) bytes.append(bytes.length() == 0 ? "" : ", ").append(b & 0xff);
            kv("shuffle", "{ Seeded = [" + bytes + "] }");
        } else {
            kv("shuffle", quote("DontShuffle"));
        }
        HttpLocation l = h.location();
        if (l instanceof HttpLocation.SingleUrl u) {
            kv("location", "{ SingleUrl = " + quote(u.url()) + " }");
        } else if (l instanceof HttpLocation.NumberedFiles n) {
            section("model.LLM.data_location.Http.location.NumberedFiles");
            kv("url_template", quote(n.urlTemplate()));
            kv("start_index", n.startIndex());
            kv("n_left_pad_zeros", n.nLeftPadZeros());
            kv("num_files", n.numFiles());
        } else if (l instanceof HttpLocation.Gcp g) {
            section("model.LLM.data_location.Http.location.Gcp");
            kv("bucket_name", quote(g.bucketName()));
            kv("filter_directory", quote(g.filterDirectory()));
        }
    }

    private void lrSchedule(LrSchedule lr) {
        if (lr instanceof LrSchedule.Constant c) {
            section("model.LLM.lr_schedule.Constant");
            kv("base_lr", f64(c.baseLr()));
            kv("warmup_init_lr", f64(c.warmupInitLr()));
            kv("warmup_steps", c.warmupSteps());
        } else if (lr instanceof LrSchedule.Linear l) {
            section("model.LLM.lr_schedule.Linear");
            linearish(l.baseLr(), l.warmupInitLr(), l.finalLr(), l.warmupSteps(), l.totalSteps());
        } else if (lr instanceof LrSchedule.Cosine c) {
            section("model.LLM.lr_schedule.Cosine");
            linearish(c.baseLr(), c.warmupInitLr(), c.finalLr(), c.warmupSteps(), c.totalSteps());
        } else if (lr instanceof LrSchedule.WarmupStableDecay w) {
            section("model.LLM.lr_schedule.WarmupStableDecay");
            kv("base_lr", f64(w.baseLr()));
            kv("warmup_init_lr", f64(w.warmupInitLr()));
            kv("cosine_decay_final_lr", f64(w.cosineDecayFinalLr()));
            kv("linear_decay_final_lr", f64(w.linearDecayFinalLr()));
            kv("warmup_steps", w.warmupSteps());
            kv("stable_steps", w.stableSteps());
            kv("cosine_decay_steps", w.cosineDecaySteps());
            kv("linear_decay_steps", w.linearDecaySteps());
        }
    }

    private void linearish(double base, double init, double fin, long warmup, long total) {
        kv("base_lr", f64(base));
        kv("warmup_init_lr", f64(init));
        kv("final_lr", f64(fin));
        kv("warmup_steps", warmup);
        kv("total_steps", total);
    }

    private void optimizer(Optimizer o) {
        if (o instanceof Optimizer.AdamW a) {
            section("model.LLM.optimizer.AdamW");
            kv("betas", "[" + f32(a.beta1()) + ", " + f32(a.beta2()) + "]");
            kv("weight_decay", f32(a.weightDecay()));
            kv("eps", f32(a.eps()));
            optionalF32("clip_grad_norm", a.clipGradNorm());
        } else if (o instanceof Optimizer.Distro d) {
            section("model.LLM.optimizer.Distro");
            optionalF32("clip_grad_norm", d.clipGradNorm());
            optionalF32("weight_decay", d.weightDecay());
            kv("compression_decay", f32(d.compressionDecay()));
            kv("compression_topk", d.compressionTopk());
            kv("compression_chunk", d.compressionChunk());
            kv("quantize_1bit", Boolean.toString(d.quantize1bit()));
        }
    }

    private void optionalF32(String key, Optional<Float> value) {
        value.ifPresent(v -> kv(key, f32(v)));
    }

    private void header(String name) { out.append('[').append(name).append("]\n"); }

    private void section(String name) {
        out.append('\n');
        header(name);
    }

    private void kv(String key, Object value) { out.append(key).append(" = ").append(value).append('\n'); }

    static String f64(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        return Double.toString(d);
    }

    // Float.toString gives the shortest decimal that reads back as the same f32, as Rust's f32 parser does
    static String f32(float f) {
        if (Float.isNaN(f)) return "nan";
        if (Float.isInfinite(f)) return f > 0 ? "inf" : "-inf";
        return Float.toString(f);
    }

    /** A TOML basic string with the escapes TOML requires. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) b.append(String.format("\\u%04X", (int) ch));
                    else b.append(ch);
                }
            }
        }
        return b.append('"').toString();
    }

}
