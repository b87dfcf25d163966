package psyche.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a config against everything Psyche enforces (the program's {@code CoordinatorConfig::check_error},
 * {@code Model::check} and cold-start check), everything it silently gets wrong (FixedString truncation, integer
 * ranges), and what makes a run fail later on real clients. Returns every violation at once.
 */
public final class Validation {
    /** On-chain limits ({@code shared/coordinator/src/coordinator.rs}). */
    public static final int MAX_NUM_CLIENTS = 256;
    public static final int MAX_NUM_WITNESSES = 32;
    public static final int RUN_ID_MAX_BYTES = 32;
    public static final int STRING_MAX_BYTES = 64;
    public static final int URL_MAX_BYTES = 192;
    public static final int DESCRIPTION_MAX_BYTES = 280;
    public static final int CLIENT_VERSION_MAX_BYTES = 96;

    static final long U8_MAX = 0xFFL, U16_MAX = 0xFFFFL, U32_MAX = 0xFFFF_FFFFL;

    private static final String C = "config.";
    private static final String M = "model.LLM.";

    private final List<Violation> out = new ArrayList<>();

    private Validation() {}

    public static ValidationReport check(RunConfig config) {
        return check(config, ValidationOptions.defaults());
    }

    public static ValidationReport check(RunConfig config, ValidationOptions options) {
        Validation v = new Validation();
        v.ranges(config);
        v.coordinatorConfig(config.config());
        v.coldStart(config);
        v.model(config.model());
        v.ours(config, options);
        return ValidationReport.of(v.out);
    }

    /** A centralized state.toml: its run config plus the run_id limit. */
    public static ValidationReport check(CentralizedState state, ValidationOptions options) {
        return check(state.runConfig(), options).plus(checkRunId(state.runId()).violations());
    }

    /** {@code run_id}: at most 32 bytes (create-run fails with RunIdInvalidLength beyond), not empty. */
    public static ValidationReport checkRunId(String runId) {
        Validation v = new Validation();
        if (runId.isEmpty()) {
            v.error("run_id", "\"\"", "run_id must not be empty", "give the run a short id, e.g. run_id = \"my-run\"");
        }
        int bytes = utf8(runId);
        if (bytes > RUN_ID_MAX_BYTES) {
            v.error("run_id", quote(runId), "run_id is " + bytes + " bytes in UTF-8; the limit is " + RUN_ID_MAX_BYTES
                    + " (create-run fails with RunIdInvalidLength, state.toml truncates it)",
                    "shorten run_id to at most " + RUN_ID_MAX_BYTES + " bytes");
        }
        return ValidationReport.of(v.out);
    }

    /** Run metadata: name and description are FixedStrings that Psyche silently truncates. */
    public static ValidationReport checkMetadata(RunMetadata metadata) {
        Validation v = new Validation();
        v.fixedString("metadata.name", metadata.name(), STRING_MAX_BYTES);
        v.fixedString("metadata.description", metadata.description(), DESCRIPTION_MAX_BYTES);
        v.range("metadata.num_parameters", metadata.numParameters(), Long.MAX_VALUE, "u64");
        v.range("metadata.vocab_size", metadata.vocabSize(), Long.MAX_VALUE, "u64");
        return ValidationReport.of(v.out);
    }

    /** The client version a run requires (FixedString&lt;96&gt;). */
    public static ValidationReport checkClientVersion(String clientVersion) {
        Validation v = new Validation();
        v.fixedString("client_version", clientVersion, CLIENT_VERSION_MAX_BYTES);
        return ValidationReport.of(v.out);
    }

    // ---- integer ranges: records hold u64/u32 in long and u16/u8 in int ----

    private void ranges(RunConfig rc) {
        CoordinatorConfig c = rc.config();
        range(C + "warmup_time", c.warmupTime(), Long.MAX_VALUE, "u64");
        range(C + "cooldown_time", c.cooldownTime(), Long.MAX_VALUE, "u64");
        range(C + "max_round_train_time", c.maxRoundTrainTime(), Long.MAX_VALUE, "u64");
        range(C + "round_witness_time", c.roundWitnessTime(), Long.MAX_VALUE, "u64");
        range(C + "global_batch_size_warmup_tokens", c.globalBatchSizeWarmupTokens(), Long.MAX_VALUE, "u64");
        range(C + "epoch_time", c.epochTime(), Long.MAX_VALUE, "u64");
        range(C + "total_steps", c.totalSteps(), U32_MAX, "u32");
        range(C + "init_min_clients", c.initMinClients(), U16_MAX, "u16");
        range(C + "min_clients", c.minClients(), U16_MAX, "u16");
        range(C + "witness_nodes", c.witnessNodes(), U16_MAX, "u16");
        range(C + "global_batch_size_start", c.globalBatchSizeStart(), U16_MAX, "u16");
        range(C + "global_batch_size_end", c.globalBatchSizeEnd(), U16_MAX, "u16");
        range(C + "verification_percent", c.verificationPercent(), U8_MAX, "u8");
        range(C + "waiting_for_members_extra_time", c.waitingForMembersExtraTime(), U8_MAX, "u8");
        LlmModel m = rc.model();
        range(M + "max_seq_len", m.maxSeqLen(), U32_MAX, "u32");
        range(M + "cold_start_warmup_steps", m.coldStartWarmupSteps(), U32_MAX, "u32");
        if (m.dataLocation() instanceof DataLocation.Http h && h.location() instanceof HttpLocation.NumberedFiles n) {
            String p = M + "data_location.Http.location.NumberedFiles.";
            range(p + "start_index", n.startIndex(), U32_MAX, "u32");
            range(p + "n_left_pad_zeros", n.nLeftPadZeros(), U8_MAX, "u8");
            range(p + "num_files", n.numFiles(), U32_MAX, "u32");
        }
        String lp = lrPath(m.lrSchedule());
        LrSchedule lr = m.lrSchedule();
        range(lp + "warmup_steps", lr.warmupSteps(), U32_MAX, "u32");
        if (lr instanceof LrSchedule.Linear l) range(lp + "total_steps", l.totalSteps(), U32_MAX, "u32");
        if (lr instanceof LrSchedule.Cosine cs) range(lp + "total_steps", cs.totalSteps(), U32_MAX, "u32");
        if (lr instanceof LrSchedule.WarmupStableDecay w) {
            range(lp + "stable_steps", w.stableSteps(), U32_MAX, "u32");
            range(lp + "cosine_decay_steps", w.cosineDecaySteps(), U32_MAX, "u32");
            range(lp + "linear_decay_steps", w.linearDecaySteps(), U32_MAX, "u32");
        }
        if (m.optimizer() instanceof Optimizer.Distro d) {
            range(M + "optimizer.Distro.compression_topk", d.compressionTopk(), U16_MAX, "u16");
            range(M + "optimizer.Distro.compression_chunk", d.compressionChunk(), U16_MAX, "u16");
        }
    }

    private void range(String path, long value, long max, String type) {
        if (value < 0 || value > max) {
            error(path, Long.toString(value), leaf(path) + " (" + value + ") is outside the range of " + type
                            + " (0.." + max + "); Psyche cannot represent it",
                    "set " + leaf(path) + " between 0 and " + max);
        }
    }

    // ---- CoordinatorConfig::check_error (on-chain: ConfigSanityCheckFailed, error 6004) ----

    private void coordinatorConfig(CoordinatorConfig c) {
        if (c.epochTime() == 0) {
            rejected("epoch_time", c.epochTime(), "epoch_time (0) must be > 0", "set epoch_time to the epoch length in seconds, e.g. 600");
        }
        if (Long.compareUnsigned(c.warmupTime(), c.epochTime()) >= 0) {
            rejected("warmup_time", c.warmupTime(), "warmup_time (" + c.warmupTime() + ") must be < epoch_time ("
                    + c.epochTime() + ")", "lower warmup_time below " + c.epochTime() + " or raise epoch_time above "
                    + c.warmupTime());
        }
        if (c.maxRoundTrainTime() == 0) {
            rejected("max_round_train_time", 0, "max_round_train_time (0) must be > 0",
                    "set max_round_train_time to the seconds a client may take per round, e.g. 15");
        } else if (Long.compareUnsigned(c.maxRoundTrainTime(), c.epochTime()) >= 0) {
            rejected("max_round_train_time", c.maxRoundTrainTime(), "max_round_train_time (" + c.maxRoundTrainTime()
                    + ") must be < epoch_time (" + c.epochTime() + ")", "lower max_round_train_time or raise epoch_time");
        }
        if (c.roundWitnessTime() == 0) {
            rejected("round_witness_time", 0, "round_witness_time (0) must be > 0", "set round_witness_time to at least 1");
        }
        if (c.minClients() == 0) {
            rejected("min_clients", 0, "min_clients (0) must be > 0", "set min_clients to at least 1");
        }
        if (c.initMinClients() < c.minClients()) {
            rejected("init_min_clients", c.initMinClients(), "init_min_clients (" + c.initMinClients()
                    + ") must be >= min_clients (" + c.minClients() + ")", "raise init_min_clients to at least " + c.minClients());
        }
        if (c.initMinClients() > MAX_NUM_CLIENTS) {
            rejected("init_min_clients", c.initMinClients(), "init_min_clients (" + c.initMinClients()
                    + ") must be <= " + MAX_NUM_CLIENTS + " (clients per epoch on chain)", "lower init_min_clients to at most " + MAX_NUM_CLIENTS);
        }
        if (c.globalBatchSizeStart() == 0) {
            rejected("global_batch_size_start", 0, "global_batch_size_start (0) must be > 0", "set global_batch_size_start to at least 1");
        }
        if (c.globalBatchSizeEnd() == 0) {
            rejected("global_batch_size_end", 0, "global_batch_size_end (0) must be > 0", "set global_batch_size_end to at least 1");
        }
        if (c.globalBatchSizeEnd() < c.globalBatchSizeStart()) {
            rejected("global_batch_size_end", c.globalBatchSizeEnd(), "global_batch_size_end (" + c.globalBatchSizeEnd()
                            + ") must be >= global_batch_size_start (" + c.globalBatchSizeStart() + ")",
                    "raise global_batch_size_end to at least " + c.globalBatchSizeStart() + " or lower global_batch_size_start");
        }
        if (c.totalSteps() == 0) {
            rejected("total_steps", 0, "total_steps (0) must be > 0", "set total_steps to the number of training steps");
        }
        if (c.witnessNodes() > c.minClients()) {
            rejected("witness_nodes", c.witnessNodes(), "witness_nodes (" + c.witnessNodes() + ") must be <= min_clients ("
                    + c.minClients() + ")", "lower witness_nodes to at most " + c.minClients() + " (0 = every client, up to 32)");
        }
        if (c.witnessNodes() > MAX_NUM_WITNESSES) {
            rejected("witness_nodes", c.witnessNodes(), "witness_nodes (" + c.witnessNodes() + ") must be <= "
                    + MAX_NUM_WITNESSES, "lower witness_nodes to at most " + MAX_NUM_WITNESSES);
        }
        if (c.cooldownTime() == 0) {
            rejected("cooldown_time", 0, "cooldown_time (0) must be > 0", "set cooldown_time to the seconds allowed for checkpointing, e.g. 30");
        }
        if (c.waitingForMembersExtraTime() == 0) {
            rejected("waiting_for_members_extra_time", 0, "waiting_for_members_extra_time (0) must be > 0",
                    "set waiting_for_members_extra_time to a few seconds, e.g. 3");
        }
    }

    private void rejected(String key, Object value, String what, String fix) {
        error(C + key, String.valueOf(value), "config rejected: " + what, fix);
    }

    /** Checked when the run is resumed ({@code set_paused(false)}): {@code check_cold_start_warmup_steps}. */
    private void coldStart(RunConfig rc) {
        CoordinatorConfig c = rc.config();
        long steps = rc.model().coldStartWarmupSteps();
        if (steps == 0 || c.maxRoundTrainTime() <= 0 || c.epochTime() <= c.warmupTime()) return;
        long rounds = (c.epochTime() - c.warmupTime()) / c.maxRoundTrainTime();
        if (steps > rounds) {
            error(M + "cold_start_warmup_steps", Long.toString(steps), "config rejected: cold_start_warmup_steps ("
                            + steps + ") exceeds the estimated training rounds per epoch ((epoch_time " + c.epochTime()
                            + " - warmup_time " + c.warmupTime() + ") / max_round_train_time " + c.maxRoundTrainTime()
                            + " = " + rounds + ")",
                    "lower cold_start_warmup_steps to at most " + rounds + " or lengthen epoch_time");
        }
    }

    // ---- Model::check (on-chain: ModelSanityCheckFailed, error 6005) and string limits ----

    private void model(LlmModel m) {
        if (m.maxSeqLen() == 0) {
            error(M + "max_seq_len", "0", "model rejected: max_seq_len (0) must be > 0", "set max_seq_len to the training sequence length, e.g. 2048");
        }
        checkpoint(m.checkpoint());
        dataLocation(m.dataLocation());
        if (m.optimizer() instanceof Optimizer.Dummy) {
            error(M + "optimizer", "\"Dummy\"", "model rejected: the Dummy optimizer is not allowed",
                    "use [model.LLM.optimizer.Distro] (or AdamW for a single client)");
        }
    }

    private void checkpoint(Checkpoint cp) {
        String p = M + "checkpoint";
        if (cp instanceof Checkpoint.Ephemeral) {
            error(p, "\"Ephemeral\"", "model rejected: an Ephemeral checkpoint is not allowed",
                    "use [model.LLM.checkpoint.Hub] with repo_id = \"owner/model\" (or Gcs with a bucket)");
        } else if (cp instanceof Checkpoint.Dummy d) {
            hubRepo(p + ".Dummy", d.repo(), false);
            warning(p, "Dummy", "a Dummy checkpoint gives real clients no model to download at the first epoch",
                    "use [model.LLM.checkpoint.Hub] with the initial model's repo_id");
        } else if (cp instanceof Checkpoint.Hub h) {
            hubRepo(p + ".Hub", h.repo(), true);
        } else if (cp instanceof Checkpoint.P2P r) {
            hubRepo(p + ".P2P", r.repo(), true);
        } else if (cp instanceof Checkpoint.Gcs g) {
            gcsRepo(p + ".Gcs", g.repo());
        } else if (cp instanceof Checkpoint.P2PGcs g) {
            gcsRepo(p + ".P2PGcs", g.repo());
        }
    }

    private void hubRepo(String p, HubRepo r, boolean required) {
        if (required) nonEmpty(p + ".repo_id", r.repoId(), "model rejected: checkpoint repo_id must not be empty",
                "set repo_id to the Hugging Face repo holding the model, e.g. \"owner/model\"");
        fixedString(p + ".repo_id", r.repoId(), STRING_MAX_BYTES);
        r.revision().ifPresent(rev -> fixedString(p + ".revision", rev, STRING_MAX_BYTES));
    }

    private void gcsRepo(String p, GcsRepo r) {
        nonEmpty(p + ".bucket", r.bucket(), "model rejected: checkpoint bucket must not be empty",
                "set bucket to the GCS bucket holding the model");
        fixedString(p + ".bucket", r.bucket(), STRING_MAX_BYTES);
        r.prefix().ifPresent(prefix -> fixedString(p + ".prefix", prefix, STRING_MAX_BYTES));
    }

    private void dataLocation(DataLocation d) {
        String p = M + "data_location";
        String bad = "model rejected: bad data location: ";
        if (d instanceof DataLocation.Dummy) {
            warning(p, "\"Dummy\"", "the Dummy data location feeds synthetic tokens; real Psyche clients train on nothing useful",
                    "point data_location at real data, e.g. [model.LLM.data_location.Http] with a Gcp or SingleUrl location");
        } else if (d instanceof DataLocation.Server s) {
            nonEmpty(p + ".Server", s.address(), bad + "Server address must not be empty", "set Server = \"host:port\" of the data server");
            fixedString(p + ".Server", s.address(), STRING_MAX_BYTES);
        } else if (d instanceof DataLocation.Local l) {
            warning(p + ".Local", quote(l.path()), "a Local data location is not implemented by real Psyche clients (their data provider panics with todo!()); only this workbench's local training reads it",
                    "for a run real clients join, serve the data over Http (SingleUrl, NumberedFiles or Gcp)");
            fixedString(p + ".Local", l.path(), URL_MAX_BYTES);
        } else if (d instanceof DataLocation.WeightedHttp w) {
            nonEmpty(p + ".WeightedHttp", w.url(), bad + "WeightedHttp url must not be empty", "set WeightedHttp to the URL of the weights JSON");
            fixedString(p + ".WeightedHttp", w.url(), URL_MAX_BYTES);
        } else if (d instanceof DataLocation.Preprocessed pr) {
            nonEmpty(p + ".Preprocessed", pr.location(), bad + "Preprocessed location must not be empty", "set Preprocessed to a directory or HF dataset repo");
            fixedString(p + ".Preprocessed", pr.location(), URL_MAX_BYTES);
        } else if (d instanceof DataLocation.Http h) {
            String lp = p + ".Http.location";
            HttpLocation l = h.location();
            if (l instanceof HttpLocation.SingleUrl u) {
                nonEmpty(lp + ".SingleUrl", u.url(), bad + "SingleUrl must not be empty", "set SingleUrl to the URL of the token file");
                fixedString(lp + ".SingleUrl", u.url(), URL_MAX_BYTES);
            } else if (l instanceof HttpLocation.NumberedFiles n) {
                String np = lp + ".NumberedFiles";
                nonEmpty(np + ".url_template", n.urlTemplate(), bad + "url_template must not be empty",
                        "set url_template, e.g. \"https://host/data/{}.ds\"");
                int holes = count(n.urlTemplate(), "{}");
                if (holes != 1 && !n.urlTemplate().isEmpty()) {
                    error(np + ".url_template", quote(n.urlTemplate()), "url_template must contain \"{}\" exactly once (found "
                            + holes + "); the file number is substituted there", "write the template with a single {}, e.g. \"https://host/data/{}.ds\"");
                }
                fixedString(np + ".url_template", n.urlTemplate(), STRING_MAX_BYTES);
                if (n.numFiles() == 0) {
                    error(np + ".num_files", "0", bad + "num_files (0) must be > 0", "set num_files to the number of files");
                }
            } else if (l instanceof HttpLocation.Gcp g) {
                nonEmpty(lp + ".Gcp.bucket_name", g.bucketName(), bad + "bucket_name must not be empty", "set bucket_name to the public GCS bucket");
                fixedString(lp + ".Gcp.bucket_name", g.bucketName(), STRING_MAX_BYTES);
                fixedString(lp + ".Gcp.filter_directory", g.filterDirectory(), URL_MAX_BYTES);
            }
        }
    }

    private void nonEmpty(String path, String value, String rule, String fix) {
        if (value.isEmpty()) error(path, "\"\"", rule, fix);
    }

    /** FixedString&lt;L&gt; holds L bytes, NUL-padded: longer values are silently truncated, a NUL ends the string. */
    private void fixedString(String path, String value, int maxBytes) {
        int bytes = utf8(value);
        if (bytes > maxBytes) {
            error(path, quote(value), leaf(path) + " is " + bytes + " bytes in UTF-8; Psyche silently truncates it to "
                    + maxBytes + " bytes", "shorten " + leaf(path) + " to at most " + maxBytes + " bytes");
        }
        if (value.indexOf('\0') >= 0) {
            error(path, quote(value), leaf(path) + " contains a NUL character; Psyche's fixed strings end at the first NUL",
                    "remove the NUL character");
        }
    }

    // ---- ours: what Psyche accepts but breaks or misleads later ----

    private void ours(RunConfig rc, ValidationOptions options) {
        CoordinatorConfig c = rc.config();
        LlmModel m = rc.model();
        // join_run refuses a new client only once global_batch_size_end are registered (instance_state.rs:350-356),
        // so exactly global_batch_size_end clients can register and start an epoch
        if (c.initMinClients() > c.globalBatchSizeEnd() && c.globalBatchSizeEnd() > 0) {
            error(C + "init_min_clients", Integer.toString(c.initMinClients()), "init_min_clients (" + c.initMinClients()
                            + ") must be <= global_batch_size_end (" + c.globalBatchSizeEnd() + "): joins are refused once "
                            + "registered clients reach global_batch_size_end (MoreClientsThanBatches), so no epoch would start",
                    "raise global_batch_size_end to at least " + c.initMinClients() + " or lower init_min_clients");
        }
        if (c.verificationPercent() != 0) {
            error(C + "verification_percent", Integer.toString(c.verificationPercent()),
                    "verification_percent (" + c.verificationPercent() + ") must be 0: real clients refuse to act as verifiers (they assert)",
                    "set verification_percent = 0");
        }
        if (options.expectedClients().isPresent()) {
            int n = options.expectedClients().getAsInt();
            if (n > c.globalBatchSizeEnd()) {
                error(C + "global_batch_size_end", Integer.toString(c.globalBatchSizeEnd()), "expecting " + n
                                + " clients, but joins are refused once registered clients reach global_batch_size_end ("
                                + c.globalBatchSizeEnd() + ", MoreClientsThanBatches), so at most " + c.globalBatchSizeEnd() + " can join",
                        "raise global_batch_size_end to at least " + n);
            }
            if (n < c.initMinClients()) {
                warning(C + "init_min_clients", Integer.toString(c.initMinClients()), "expecting " + n
                        + " clients, fewer than init_min_clients (" + c.initMinClients() + "): no epoch will ever start",
                        "lower init_min_clients to at most " + n);
            }
        }
        lr(rc);
        optimizer(m.optimizer(), c, options);
    }

    private void lr(RunConfig rc) {
        LrSchedule lr = rc.model().lrSchedule();
        String p = lrPath(lr);
        long total = rc.config().totalSteps();
        finiteNonNegative(p + "base_lr", lr.baseLr());
        finiteNonNegative(p + "warmup_init_lr", lr.warmupInitLr());
        if (lr instanceof LrSchedule.Linear l) {
            finiteNonNegative(p + "final_lr", l.finalLr());
            lengthMismatch(p + "total_steps", l.totalSteps(), total);
        } else if (lr instanceof LrSchedule.Cosine cs) {
            finiteNonNegative(p + "final_lr", cs.finalLr());
            if (cs.totalSteps() <= cs.warmupSteps()) {
                error(p + "total_steps", Long.toString(cs.totalSteps()), "cosine total_steps (" + cs.totalSteps()
                                + ") must be > warmup_steps (" + cs.warmupSteps() + "): the decay divides by their difference",
                        "set total_steps above warmup_steps, usually to config.total_steps (" + total + ")");
            } else {
                lengthMismatch(p + "total_steps", cs.totalSteps(), total);
            }
        } else if (lr instanceof LrSchedule.WarmupStableDecay w) {
            finiteNonNegative(p + "cosine_decay_final_lr", w.cosineDecayFinalLr());
            finiteNonNegative(p + "linear_decay_final_lr", w.linearDecayFinalLr());
            if (w.cosineDecayFinalLr() > w.baseLr()) {
                error(p + "cosine_decay_final_lr", Double.toString(w.cosineDecayFinalLr()), "cosine_decay_final_lr ("
                        + w.cosineDecayFinalLr() + ") must be <= base_lr (" + w.baseLr() + "); clients assert it and crash",
                        "lower cosine_decay_final_lr to at most " + w.baseLr());
            }
            if (w.linearDecayFinalLr() > w.cosineDecayFinalLr()) {
                error(p + "linear_decay_final_lr", Double.toString(w.linearDecayFinalLr()), "linear_decay_final_lr ("
                        + w.linearDecayFinalLr() + ") must be <= cosine_decay_final_lr (" + w.cosineDecayFinalLr()
                        + "); clients assert it and crash", "lower linear_decay_final_lr to at most " + w.cosineDecayFinalLr());
            }
            long length = w.warmupSteps() + w.stableSteps() + w.cosineDecaySteps() + w.linearDecaySteps();
            if (length != total) {
                warning(p + "stable_steps", Long.toString(w.stableSteps()), "the schedule lasts " + length
                                + " steps (warmup + stable + cosine_decay + linear_decay) but config.total_steps is " + total
                                + (length < total ? "; the last " + (total - length) + " steps run at linear_decay_final_lr"
                                : "; training ends before the decay does"),
                        "make warmup_steps + stable_steps + cosine_decay_steps + linear_decay_steps = " + total);
            }
        }
    }

    private void lengthMismatch(String path, long scheduleTotal, long configTotal) {
        if (scheduleTotal != configTotal) {
            warning(path, Long.toString(scheduleTotal), "the schedule's total_steps (" + scheduleTotal
                            + ") differs from config.total_steps (" + configTotal + ")"
                            + (scheduleTotal < configTotal ? "; the schedule ends early" : "; training stops before the decay ends"),
                    "set total_steps = " + configTotal + " here");
        }
    }

    private void finiteNonNegative(String path, double value) {
        if (!Double.isFinite(value) || value < 0) {
            error(path, Double.toString(value), leaf(path) + " (" + value + ") must be a finite number >= 0",
                    "set " + leaf(path) + " to a learning rate such as 4.0e-4");
        }
    }

    private void optimizer(Optimizer o, CoordinatorConfig c, ValidationOptions options) {
        if (o instanceof Optimizer.AdamW a) {
            String p = M + "optimizer.AdamW.";
            unitInterval(p + "betas", a.beta1(), "beta1");
            unitInterval(p + "betas", a.beta2(), "beta2");
            unitInterval(p + "weight_decay", a.weightDecay(), "weight_decay");
            if (!Float.isFinite(a.eps()) || a.eps() <= 0) {
                error(p + "eps", Float.toString(a.eps()), "eps (" + a.eps() + ") must be a finite number > 0", "set eps = 1e-8");
            }
            a.clipGradNorm().ifPresent(clip -> clip(p + "clip_grad_norm", clip));
            int clients = options.expectedClients().orElse(c.initMinClients());
            if (clients > 1) {
                warning(M + "optimizer", "AdamW", "AdamW shares nothing between clients, yet "
                                + (options.expectedClients().isPresent() ? clients + " clients are expected" : "init_min_clients is " + clients)
                                + "; each client trains its own copy",
                        "use [model.LLM.optimizer.Distro] for multi-client runs");
            }
        } else if (o instanceof Optimizer.Distro d) {
            String p = M + "optimizer.Distro.";
            d.clipGradNorm().ifPresent(clip -> clip(p + "clip_grad_norm", clip));
            d.weightDecay().ifPresent(wd -> unitInterval(p + "weight_decay", wd, "weight_decay"));
            unitInterval(p + "compression_decay", d.compressionDecay(), "compression_decay");
            if (d.compressionChunk() == 0) {
                error(p + "compression_chunk", "0", "compression_chunk (0) must be > 0: DCT chunks are the largest divisor <= chunk",
                        "set compression_chunk = 64");
            }
            if (d.compressionTopk() == 0) {
                warning(p + "compression_topk", "0", "compression_topk (0) is raised to 1 by clients", "set compression_topk to at least 1, e.g. 2");
            }
            long chunkSquared = (long) d.compressionChunk() * d.compressionChunk();
            if (d.compressionChunk() > 0 && d.compressionTopk() > chunkSquared) {
                error(p + "compression_topk", Integer.toString(d.compressionTopk()), "compression_topk (" + d.compressionTopk()
                                + ") exceeds compression_chunk² (" + chunkSquared + "), the values in one 2-D chunk; clients clamp it, so nothing is compressed",
                        "lower compression_topk to at most " + chunkSquared + " (typical: 2 to 8)");
            }
        }
    }

    private void clip(String path, float clip) {
        if (!Float.isFinite(clip) || clip <= 0) {
            error(path, Float.toString(clip), "clip_grad_norm (" + clip + ") must be a finite number > 0; "
                            + "clients silently skip clipping when it is <= 0", "set clip_grad_norm = 1.0, or remove the key to disable clipping");
        }
    }

    private void unitInterval(String path, float value, String name) {
        if (!(value >= 0 && value < 1)) {
            error(path, Float.toString(value), name + " (" + value + ") must be in [0, 1)", "set " + name
                    + " to a value in [0, 1), e.g. " + (name.equals("compression_decay") ? "0.999" : name.startsWith("beta") ? "0.9" : "0.1"));
        }
    }

    // ---- helpers ----

    private static String lrPath(LrSchedule lr) {
        String name = lr instanceof LrSchedule.Constant ? "Constant" : lr instanceof LrSchedule.Linear ? "Linear"
                : lr instanceof LrSchedule.Cosine ? "Cosine" : "WarmupStableDecay";
        return M + "lr_schedule." + name + ".";
    }

    static int utf8(String s) { return s.getBytes(StandardCharsets.UTF_8).length; }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) n++;
        return n;
    }

    private static String leaf(String path) { return path.substring(path.lastIndexOf('.') + 1); }

    private static String quote(String s) { return TomlConfigWriter.quote(s); }

    private void error(String path, String value, String rule, String fix) {
        out.add(new Violation(Severity.ERROR, path, value, rule, fix));
    }

    private void warning(String path, String value, String rule, String fix) {
        out.add(new Violation(Severity.WARNING, path, value, rule, fix));
    }

}
