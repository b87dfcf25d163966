package psyche.sim;

import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;
import psyche.config.Architecture;
import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.DataType;
import psyche.config.GcsRepo;
import psyche.config.HttpLocation;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;
import psyche.config.Shuffle;
import psyche.config.TokenSize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A small reader of Psyche's {@code config.toml} ({@code [config]} + {@code [model.LLM]}) for the simulate command.
 * Replace with RunConfigs.read once merged: this one checks only what it needs to build the records.
 */
public final class SimConfigLoader {
    private SimConfigLoader() {}

    /** Thrown when the file cannot be read as a run config; the message names the file and the key. */
    public static final class ConfigReadException extends RuntimeException {
        public ConfigReadException(String message) { super(message); }
    }

    public static RunConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run config " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    public static RunConfig parse(String toml, String source) {
        TomlParseResult r = Toml.parse(toml);
        if (r.hasErrors()) {
            throw new ConfigReadException(source + " is not valid TOML: " + r.errors().get(0).toString());
        }
        TomlTable config = table(r, "config", source);
        TomlTable llm = table(r, "model.LLM", source);
        return new RunConfig(coordinatorConfig(config, source), model(llm, source));
    }

    static CoordinatorConfig coordinatorConfig(TomlTable c, String src) {
        return new CoordinatorConfig(
                num(c, "warmup_time", src), num(c, "cooldown_time", src), num(c, "max_round_train_time", src),
                num(c, "round_witness_time", src), num(c, "global_batch_size_warmup_tokens", src),
                num(c, "epoch_time", src), num(c, "total_steps", src),
                (int) num(c, "init_min_clients", src), (int) num(c, "min_clients", src),
                (int) num(c, "witness_nodes", src), (int) num(c, "global_batch_size_start", src),
                (int) num(c, "global_batch_size_end", src), (int) num(c, "verification_percent", src),
                (int) num(c, "waiting_for_members_extra_time", src));
    }

    static LlmModel model(TomlTable m, String src) {
        return new LlmModel(num(m, "max_seq_len", src), num(m, "cold_start_warmup_steps", src),
                Architecture.valueOf(str(m, "architecture", src)), checkpoint(m, src),
                DataType.valueOf(str(m, "data_type", src)), dataLocation(m, src), lrSchedule(m, src), optimizer(m, src));
    }

    private static Checkpoint checkpoint(TomlTable m, String src) {
        Object v = m.get("checkpoint");
        if ("Ephemeral".equals(v)) return new Checkpoint.Ephemeral();
        TomlTable t = (v instanceof TomlTable tt) ? tt : null;
        if (t == null) throw new ConfigReadException(src + ": model.LLM.checkpoint is required");
        if (t.isTable("Hub")) return new Checkpoint.Hub(hub(t.getTable("Hub")));
        if (t.isTable("P2P")) return new Checkpoint.P2P(hub(t.getTable("P2P")));
        if (t.isTable("Dummy")) return new Checkpoint.Dummy(hub(t.getTable("Dummy")));
        if (t.isTable("Gcs")) return new Checkpoint.Gcs(gcs(t.getTable("Gcs")));
        if (t.isTable("P2PGcs")) return new Checkpoint.P2PGcs(gcs(t.getTable("P2PGcs")));
        throw new ConfigReadException(src + ": unknown model.LLM.checkpoint variant " + t.keySet());
    }

    private static HubRepo hub(TomlTable t) {
        return new HubRepo(Optional.ofNullable(t.getString("repo_id")).orElse(""), Optional.ofNullable(t.getString("revision")));
    }

    private static GcsRepo gcs(TomlTable t) {
        return new GcsRepo(Optional.ofNullable(t.getString("bucket")).orElse(""), Optional.ofNullable(t.getString("prefix")));
    }

    private static DataLocation dataLocation(TomlTable m, String src) {
        Object v = m.get("data_location");
        if (v == null || "Dummy".equals(v)) return new DataLocation.Dummy();
        if (!(v instanceof TomlTable t)) throw new ConfigReadException(src + ": unknown model.LLM.data_location " + v);
        if (t.isString("Server")) return new DataLocation.Server(t.getString("Server"));
        if (t.isString("Local")) return new DataLocation.Local(t.getString("Local"));
        if (t.isString("WeightedHttp")) return new DataLocation.WeightedHttp(t.getString("WeightedHttp"));
        if (t.isString("Preprocessed")) return new DataLocation.Preprocessed(t.getString("Preprocessed"));
        if (t.isTable("Http")) {
            TomlTable h = t.getTable("Http");
            TomlTable loc = h.getTable("location");
            HttpLocation location;
            if (loc == null) throw new ConfigReadException(src + ": data_location.Http.location is required");
            if (loc.isString("SingleUrl")) location = new HttpLocation.SingleUrl(loc.getString("SingleUrl"));
            else if (loc.isTable("Gcp")) {
                TomlTable g = loc.getTable("Gcp");
                location = new HttpLocation.Gcp(g.getString("bucket_name"), Optional.ofNullable(g.getString("filter_directory")).orElse(""));
            } else if (loc.isTable("NumberedFiles")) {
                TomlTable n = loc.getTable("NumberedFiles");
                location = new HttpLocation.NumberedFiles(n.getString("url_template"), num(n, "start_index", src),
                        (int) num(n, "n_left_pad_zeros", src), num(n, "num_files", src));
            } else throw new ConfigReadException(src + ": unknown data_location.Http.location " + loc.keySet());
            TokenSize size = TokenSize.valueOf(str(h, "token_size_in_bytes", src));
            Object sh = h.get("shuffle");
            Shuffle shuffle = new Shuffle.DontShuffle();
            if (sh instanceof TomlTable st && st.isArray("Seeded")) {
                TomlArray a = st.getArray("Seeded");
                byte[] seed = new byte[a.size()];
                for (int i = 0; i < seed.length; i++) seed[i] = (byte) a.getLong(i);
                shuffle = new Shuffle.Seeded(seed);
            }
            return new DataLocation.Http(location, size, shuffle);
        }
        throw new ConfigReadException(src + ": unknown model.LLM.data_location variant " + t.keySet());
    }

    private static LrSchedule lrSchedule(TomlTable m, String src) {
        TomlTable t = m.getTable("lr_schedule");
        if (t == null) throw new ConfigReadException(src + ": model.LLM.lr_schedule is required");
        if (t.isTable("Constant")) {
            TomlTable c = t.getTable("Constant");
            return new LrSchedule.Constant(dbl(c, "base_lr", src), dbl(c, "warmup_init_lr", src), num(c, "warmup_steps", src));
        }
        if (t.isTable("Linear")) {
            TomlTable c = t.getTable("Linear");
            return new LrSchedule.Linear(dbl(c, "base_lr", src), dbl(c, "warmup_init_lr", src), dbl(c, "final_lr", src),
                    num(c, "warmup_steps", src), num(c, "total_steps", src));
        }
        if (t.isTable("Cosine")) {
            TomlTable c = t.getTable("Cosine");
            return new LrSchedule.Cosine(dbl(c, "base_lr", src), dbl(c, "warmup_init_lr", src), dbl(c, "final_lr", src),
                    num(c, "warmup_steps", src), num(c, "total_steps", src));
        }
        if (t.isTable("WarmupStableDecay")) {
            TomlTable c = t.getTable("WarmupStableDecay");
            return new LrSchedule.WarmupStableDecay(dbl(c, "base_lr", src), dbl(c, "warmup_init_lr", src),
                    dbl(c, "cosine_decay_final_lr", src), dbl(c, "linear_decay_final_lr", src), num(c, "warmup_steps", src),
                    num(c, "stable_steps", src), num(c, "cosine_decay_steps", src), num(c, "linear_decay_steps", src));
        }
        throw new ConfigReadException(src + ": unknown model.LLM.lr_schedule variant " + t.keySet());
    }

    private static Optimizer optimizer(TomlTable m, String src) {
        Object v = m.get("optimizer");
        if ("Dummy".equals(v)) return new Optimizer.Dummy();
        if (!(v instanceof TomlTable t)) throw new ConfigReadException(src + ": model.LLM.optimizer is required");
        if (t.isTable("Distro")) {
            TomlTable d = t.getTable("Distro");
            return new Optimizer.Distro(optF(d, "clip_grad_norm"), optF(d, "weight_decay"), (float) dbl(d, "compression_decay", src),
                    (int) num(d, "compression_topk", src), (int) num(d, "compression_chunk", src),
                    Boolean.TRUE.equals(d.getBoolean("quantize_1bit")));
        }
        if (t.isTable("AdamW")) {
            TomlTable a = t.getTable("AdamW");
            TomlArray betas = a.getArray("betas");
            if (betas == null || betas.size() != 2) throw new ConfigReadException(src + ": AdamW.betas needs two numbers");
            return new Optimizer.AdamW((float) betas.getDouble(0), (float) betas.getDouble(1),
                    (float) dbl(a, "weight_decay", src), (float) dbl(a, "eps", src), optF(a, "clip_grad_norm"));
        }
        throw new ConfigReadException(src + ": unknown model.LLM.optimizer variant " + t.keySet());
    }

    private static TomlTable table(TomlTable r, String key, String src) {
        TomlTable t = r.getTable(key);
        if (t == null) throw new ConfigReadException(src + ": [" + key + "] is required");
        return t;
    }

    private static long num(TomlTable t, String key, String src) {
        Long v = t.getLong(key);
        if (v == null) throw new ConfigReadException(src + ": integer '" + key + "' is required");
        return v;
    }

    private static double dbl(TomlTable t, String key, String src) {
        Object v = t.get(key);
        if (v instanceof Number n) return n.doubleValue();
        throw new ConfigReadException(src + ": number '" + key + "' is required");
    }

    private static Optional<Float> optF(TomlTable t, String key) {
        Object v = t.get(key);
        return v instanceof Number n ? Optional.of(n.floatValue()) : Optional.empty();
    }

    private static String str(TomlTable t, String key, String src) {
        String v = t.getString(key);
        if (v == null) throw new ConfigReadException(src + ": string '" + key + "' is required");
        return v;
    }
}
