package psyche.config;

import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;
import psyche.coordinator.RunState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Maps TOML onto the config records the way Psyche's serde does (externally tagged enums: unit variants as strings,
 * data variants as single-key tables), leniently: every problem becomes a {@link Violation} and reading goes on, so
 * one pass reports everything. A part that cannot be built marks the result incomplete (no record is returned).
 */
final class TomlConfigReader {
    static final List<String> CONFIG_KEYS = List.of("warmup_time", "cooldown_time", "max_round_train_time",
            "round_witness_time", "global_batch_size_warmup_tokens", "epoch_time", "total_steps", "init_min_clients",
            "min_clients", "witness_nodes", "global_batch_size_start", "global_batch_size_end",
            "verification_percent", "waiting_for_members_extra_time");
    static final List<String> LLM_KEYS = List.of("max_seq_len", "cold_start_warmup_steps", "architecture",
            "checkpoint", "data_type", "data_location", "lr_schedule", "optimizer");
    /** Coordinator fields that state.toml may carry and that serde defaults; accepted and not kept. */
    static final List<String> STATE_IGNORED_KEYS = List.of("progress", "epoch_state", "run_state_start_unix_timestamp",
            "pending_pause");

    private final List<Violation> violations = new ArrayList<>();
    private boolean incomplete;
    private int syntaxLine;
    private int syntaxColumn;

    private TomlConfigReader() {}

    /** The mapped value (absent when incomplete), every problem, and where the first TOML syntax error is (0 = none). */
    record Result<T>(Optional<T> value, List<Violation> violations, int syntaxLine, int syntaxColumn) {}

    static Result<RunConfig> readConfig(String toml) {
        TomlConfigReader reader = new TomlConfigReader();
        Optional<TomlParseResult> parsed = reader.parseSyntax(toml);
        if (parsed.isEmpty()) return reader.result(null);
        TomlTable root = parsed.get();
        // Psyche's centralized state.toml (top-level run_id, run_state, [config], [model]) is a config too:
        // run-manager's update-config reads any file with [config] and [model] (update_config.rs:74-86)
        boolean stateShape = root.contains("run_id") || root.contains("run_state");
        if (stateShape) {
            reader.checkKeys(root, "", List.of("run_id", "run_state", "config", "model"), STATE_IGNORED_KEYS);
            if (root.contains("run_id")) reader.string(root, "run_id", "run_id");
            if (root.contains("run_state")) reader.unitEnum(root, "run_state", "run_state", RunState.class);
        } else {
            reader.checkKeys(root, "", List.of("config", "model"), List.of());
        }
        RunConfig config = reader.runConfig(root);
        return reader.result(config);
    }

    static Result<CentralizedState> readState(String toml) {
        TomlConfigReader reader = new TomlConfigReader();
        Optional<TomlParseResult> parsed = reader.parseSyntax(toml);
        if (parsed.isEmpty()) return reader.result(null);
        TomlTable root = parsed.get();
        reader.checkKeys(root, "", List.of("run_id", "run_state", "config", "model"), STATE_IGNORED_KEYS);
        String runId = reader.string(root, "run_id", "run_id");
        RunState runState = reader.unitEnum(root, "run_state", "run_state", RunState.class);
        RunConfig config = reader.runConfig(root);
        return reader.result(reader.incomplete ? null : new CentralizedState(runId, runState, config));
    }

    private <T> Result<T> result(T value) {
        return new Result<>(incomplete ? Optional.empty() : Optional.ofNullable(value), violations, syntaxLine,
                syntaxColumn);
    }

    /** Deeper nesting of arrays and inline tables than any config has; tomlj's recursive parser would overflow its stack. */
    static final int MAX_NESTING = 32;

    private Optional<TomlParseResult> parseSyntax(String toml) {
        int[] tooDeep = nestingPastLimit(toml);
        if (tooDeep != null) {
            incomplete = true;
            syntaxLine = tooDeep[0];
            syntaxColumn = tooDeep[1];
            violations.add(Violation.error("", "(line " + tooDeep[0] + ", column " + tooDeep[1] + ")",
                    "malformed TOML at line " + tooDeep[0] + ", column " + tooDeep[1] + ": arrays or inline tables nested"
                            + " deeper than " + MAX_NESTING + " levels", "flatten the value at line " + tooDeep[0]
                            + ", column " + tooDeep[1] + " (a run config nests at most a few levels)"));
            return Optional.empty();
        }
        TomlParseResult parsed;
        try {
            parsed = Toml.parse(toml);
        } catch (StackOverflowError nestedPastWhatTheScanSaw) {
            // the scan above is rough; should the recursive parser still run out of stack, it is the same error
            incomplete = true;
            syntaxLine = 1;
            syntaxColumn = 1;
            violations.add(Violation.error("", "(line 1, column 1)", "malformed TOML: nested too deeply to parse",
                    "flatten the nested arrays or inline tables (a run config nests at most a few levels)"));
            return Optional.empty();
        }
        if (!parsed.hasErrors()) return Optional.of(parsed);
        incomplete = true;
        syntaxLine = parsed.errors().get(0).position().line();
        syntaxColumn = parsed.errors().get(0).position().column();
        for (TomlParseError e : parsed.errors()) {
            TomlPosition p = e.position();
            violations.add(Violation.error("", "(line " + p.line() + ", column " + p.column() + ")",
                    "malformed TOML at line " + p.line() + ", column " + p.column() + ": " + e.getMessage(),
                    "fix the TOML syntax at line " + p.line() + ", column " + p.column()));
        }
        return Optional.empty();
    }

    /**
     * Where value nesting ({@code [} of arrays, {@code {} of inline tables) first goes past {@link #MAX_NESTING}, as
     * {line, column} (1-based), or null. Strings and comments are skipped; table headers ({@code [a.b]} at the start
     * of a line) nest nothing. A rough scan: it only has to find what the real parser would recurse into.
     */
    static int[] nestingPastLimit(String toml) {
        int depth = 0;
        int line = 1;
        int column = 0;
        boolean lineStart = true;
        for (int i = 0; i < toml.length(); i++) {
            char c = toml.charAt(i);
            column++;
            if (c == '\n') {
                line++;
                column = 0;
                lineStart = true;
                continue;
            }
            if (c == '#') {
                while (i + 1 < toml.length() && toml.charAt(i + 1) != '\n') i++;
                continue;
            }
            if (c == '"' || c == '\'') {
                boolean triple = toml.startsWith(String.valueOf(c).repeat(3), i);
                String close = triple ? String.valueOf(c).repeat(3) : String.valueOf(c);
                int j = i + close.length();
                boolean closed = false;
                while (j < toml.length()) {
                    if (toml.startsWith(close, j)) {
                        closed = true;
                        break;
                    }
                    char d = toml.charAt(j);
                    if (!triple && d == '\n') break; // a one-line string ends at its line
                    if (c == '"' && d == '\\') j++;
                    j++;
                }
                lineStart = false;
                if (!closed) { // unterminated: the parser reports it and reads on, so what follows must still count
                    column += close.length() - 1;
                    i += close.length() - 1;
                    continue;
                }
                int stop = Math.min(j + close.length(), toml.length());
                for (int k = i + 1; k < stop; k++) {
                    if (toml.charAt(k) == '\n') {
                        line++;
                        column = 0;
                    } else {
                        column++;
                    }
                }
                i = stop - 1;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r') continue;
            if (lineStart && c == '[' && depth == 0) { // a [table] or [[array of tables]] header
                while (i + 1 < toml.length() && toml.charAt(i + 1) != '\n') i++;
                continue;
            }
            lineStart = false;
            if (c == '[' || c == '{') {
                if (++depth > MAX_NESTING) return new int[] {line, column};
            } else if ((c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        }
        return null;
    }

    private RunConfig runConfig(TomlTable root) {
        CoordinatorConfig config = coordinatorConfig(table(root, "config", "config"));
        LlmModel model = null;
        TomlTable modelTable = table(root, "model", "model");
        if (modelTable != null) {
            Variant v = variant(modelTable, null, "model", List.of(), List.of("LLM"), null);
            if (v != null) model = llm(asTable(v.payload, "model.LLM"), "model.LLM");
        }
        return incomplete ? null : new RunConfig(config, model);
    }

    private CoordinatorConfig coordinatorConfig(TomlTable t) {
        if (t == null) return null;
        String p = "config";
        checkKeys(t, p, CONFIG_KEYS, List.of());
        return new CoordinatorConfig(
                integer(t, "warmup_time", p, "u64"),
                integer(t, "cooldown_time", p, "u64"),
                integer(t, "max_round_train_time", p, "u64"),
                integer(t, "round_witness_time", p, "u64"),
                integer(t, "global_batch_size_warmup_tokens", p, "u64"),
                integer(t, "epoch_time", p, "u64"),
                integer(t, "total_steps", p, "u32"),
                smallInteger(t, "init_min_clients", p, "u16"),
                smallInteger(t, "min_clients", p, "u16"),
                smallInteger(t, "witness_nodes", p, "u16"),
                smallInteger(t, "global_batch_size_start", p, "u16"),
                smallInteger(t, "global_batch_size_end", p, "u16"),
                smallInteger(t, "verification_percent", p, "u8"),
                smallInteger(t, "waiting_for_members_extra_time", p, "u8"));
    }

    private LlmModel llm(TomlTable t, String p) {
        if (t == null) return null;
        checkKeys(t, p, LLM_KEYS, List.of());
        long maxSeqLen = integer(t, "max_seq_len", p, "u32");
        long coldStart = integer(t, "cold_start_warmup_steps", p, "u32");
        Architecture architecture = unitEnum(t, "architecture", p + ".architecture", Architecture.class);
        Checkpoint checkpoint = checkpoint(t, p + ".checkpoint");
        DataType dataType = unitEnum(t, "data_type", p + ".data_type", DataType.class);
        DataLocation dataLocation = dataLocation(t, p + ".data_location");
        LrSchedule lr = lrSchedule(t, p + ".lr_schedule");
        Optimizer optimizer = optimizer(t, p + ".optimizer");
        if (incomplete) return null;
        return new LlmModel(maxSeqLen, coldStart, architecture, checkpoint, dataType, dataLocation, lr, optimizer);
    }

    private Checkpoint checkpoint(TomlTable parent, String p) {
        Variant v = variant(parent, "checkpoint", p, List.of("Ephemeral"),
                List.of("Dummy", "Hub", "P2P", "Gcs", "P2PGcs"), null);
        if (v == null) return null;
        String vp = p + "." + v.name;
        switch (v.name) {
            case "Ephemeral": return new Checkpoint.Ephemeral();
            case "Dummy": { HubRepo r = hubRepo(asTable(v.payload, vp), vp); return r == null ? null : new Checkpoint.Dummy(r); }
            case "Hub": { HubRepo r = hubRepo(asTable(v.payload, vp), vp); return r == null ? null : new Checkpoint.Hub(r); }
            case "P2P": { HubRepo r = hubRepo(asTable(v.payload, vp), vp); return r == null ? null : new Checkpoint.P2P(r); }
            case "Gcs": { GcsRepo r = gcsRepo(asTable(v.payload, vp), vp); return r == null ? null : new Checkpoint.Gcs(r); }
            case "P2PGcs": { GcsRepo r = gcsRepo(asTable(v.payload, vp), vp); return r == null ? null : new Checkpoint.P2PGcs(r); }
            default: throw new IllegalStateException(v.name);
        }
    }

    private HubRepo hubRepo(TomlTable t, String p) {
        if (t == null) return null;
        checkKeys(t, p, List.of("repo_id", "revision"), List.of());
        String repoId = string(t, "repo_id", p + ".repo_id");
        Optional<String> revision = optionalString(t, "revision", p + ".revision");
        return repoId == null ? null : new HubRepo(repoId, revision);
    }

    private GcsRepo gcsRepo(TomlTable t, String p) {
        if (t == null) return null;
        checkKeys(t, p, List.of("bucket", "prefix"), List.of());
        String bucket = string(t, "bucket", p + ".bucket");
        Optional<String> prefix = optionalString(t, "prefix", p + ".prefix");
        return bucket == null ? null : new GcsRepo(bucket, prefix);
    }

    private DataLocation dataLocation(TomlTable parent, String p) {
        // serde default: a missing data_location is Dummy
        Variant v = variant(parent, "data_location", p, List.of("Dummy"),
                List.of("Server", "Local", "Http", "WeightedHttp", "Preprocessed"), "Dummy");
        if (v == null) return null;
        String vp = p + "." + v.name;
        switch (v.name) {
            case "Dummy": return new DataLocation.Dummy();
            case "Server": { String s = asString(v.payload, vp); return s == null ? null : new DataLocation.Server(s); }
            case "Local": { String s = asString(v.payload, vp); return s == null ? null : new DataLocation.Local(s); }
            case "WeightedHttp": { String s = asString(v.payload, vp); return s == null ? null : new DataLocation.WeightedHttp(s); }
            case "Preprocessed": { String s = asString(v.payload, vp); return s == null ? null : new DataLocation.Preprocessed(s); }
            case "Http": return http(asTable(v.payload, vp), vp);
            default: throw new IllegalStateException(v.name);
        }
    }

    private DataLocation http(TomlTable t, String p) {
        if (t == null) return null;
        checkKeys(t, p, List.of("location", "token_size_in_bytes", "shuffle"), List.of());
        HttpLocation location = httpLocation(t, p + ".location");
        TokenSize tokenSize = unitEnum(t, "token_size_in_bytes", p + ".token_size_in_bytes", TokenSize.class);
        Shuffle shuffle = shuffle(t, p + ".shuffle");
        if (location == null || tokenSize == null || shuffle == null) return null;
        return new DataLocation.Http(location, tokenSize, shuffle);
    }

    private HttpLocation httpLocation(TomlTable parent, String p) {
        Variant v = variant(parent, "location", p, List.of(), List.of("SingleUrl", "NumberedFiles", "Gcp"), null);
        if (v == null) return null;
        String vp = p + "." + v.name;
        switch (v.name) {
            case "SingleUrl": { String s = asString(v.payload, vp); return s == null ? null : new HttpLocation.SingleUrl(s); }
            case "NumberedFiles": {
                TomlTable t = asTable(v.payload, vp);
                if (t == null) return null;
                checkKeys(t, vp, List.of("url_template", "start_index", "n_left_pad_zeros", "num_files"), List.of());
                String template = string(t, "url_template", vp + ".url_template");
                long start = integer(t, "start_index", vp, "u32");
                int pad = smallInteger(t, "n_left_pad_zeros", vp, "u8");
                long numFiles = integer(t, "num_files", vp, "u32");
                return template == null ? null : new HttpLocation.NumberedFiles(template, start, pad, numFiles);
            }
            case "Gcp": {
                TomlTable t = asTable(v.payload, vp);
                if (t == null) return null;
                checkKeys(t, vp, List.of("bucket_name", "filter_directory"), List.of());
                String bucket = string(t, "bucket_name", vp + ".bucket_name");
                String filter = string(t, "filter_directory", vp + ".filter_directory");
                return bucket == null || filter == null ? null : new HttpLocation.Gcp(bucket, filter);
            }
            default: throw new IllegalStateException(v.name);
        }
    }

    private Shuffle shuffle(TomlTable parent, String p) {
        Variant v = variant(parent, "shuffle", p, List.of("DontShuffle"), List.of("Seeded"), null);
        if (v == null) return null;
        if (v.name.equals("DontShuffle")) return new Shuffle.DontShuffle();
        String vp = p + ".Seeded";
        if (!(v.payload instanceof TomlArray array)) {
            wrongType(vp, v.payload, "array of 32 integers (u8)", "write shuffle = { Seeded = [32 integers 0..255] }");
            return null;
        }
        if (array.size() != 32) {
            fail(vp, render(array), "Seeded needs exactly 32 bytes, found " + array.size(),
                    "give 32 integers in 0..255, e.g. shuffle = { Seeded = [1, 2, ..., 32] }");
            return null;
        }
        byte[] seed = new byte[32];
        boolean ok = true;
        for (int i = 0; i < 32; i++) {
            Object o = array.get(i);
            if (!(o instanceof Long n) || n < 0 || n > 255) {
                fail(vp + "[" + i + "]", render(o), "each seed byte must be an integer in 0..255 (u8)",
                        "replace element " + i + " with an integer between 0 and 255");
                ok = false;
            } else {
                seed[i] = (byte) n.intValue();
            }
        }
        return ok ? new Shuffle.Seeded(seed) : null;
    }

    private LrSchedule lrSchedule(TomlTable parent, String p) {
        Variant v = variant(parent, "lr_schedule", p, List.of(),
                List.of("Constant", "Linear", "Cosine", "WarmupStableDecay"), null);
        if (v == null) return null;
        String vp = p + "." + v.name;
        TomlTable t = asTable(v.payload, vp);
        if (t == null) return null;
        switch (v.name) {
            case "Constant":
                checkKeys(t, vp, List.of("base_lr", "warmup_init_lr", "warmup_steps"), List.of());
                return new LrSchedule.Constant(real(t, "base_lr", vp), real(t, "warmup_init_lr", vp),
                        integer(t, "warmup_steps", vp, "u32"));
            case "Linear":
            case "Cosine": {
                checkKeys(t, vp, List.of("base_lr", "warmup_init_lr", "final_lr", "warmup_steps", "total_steps"),
                        List.of());
                double base = real(t, "base_lr", vp), init = real(t, "warmup_init_lr", vp), fin = real(t, "final_lr", vp);
                long warmup = integer(t, "warmup_steps", vp, "u32"), total = integer(t, "total_steps", vp, "u32");
                return v.name.equals("Linear") ? new LrSchedule.Linear(base, init, fin, warmup, total)
                        : new LrSchedule.Cosine(base, init, fin, warmup, total);
            }
            case "WarmupStableDecay":
                checkKeys(t, vp, List.of("base_lr", "warmup_init_lr", "cosine_decay_final_lr", "linear_decay_final_lr",
                        "warmup_steps", "stable_steps", "cosine_decay_steps", "linear_decay_steps"), List.of());
                return new LrSchedule.WarmupStableDecay(real(t, "base_lr", vp), real(t, "warmup_init_lr", vp),
                        real(t, "cosine_decay_final_lr", vp), real(t, "linear_decay_final_lr", vp),
                        integer(t, "warmup_steps", vp, "u32"), integer(t, "stable_steps", vp, "u32"),
                        integer(t, "cosine_decay_steps", vp, "u32"), integer(t, "linear_decay_steps", vp, "u32"));
            default: throw new IllegalStateException(v.name);
        }
    }

    private Optimizer optimizer(TomlTable parent, String p) {
        Variant v = variant(parent, "optimizer", p, List.of("Dummy"), List.of("AdamW", "Distro"), null);
        if (v == null) return null;
        if (v.name.equals("Dummy")) return new Optimizer.Dummy();
        String vp = p + "." + v.name;
        TomlTable t = asTable(v.payload, vp);
        if (t == null) return null;
        if (v.name.equals("AdamW")) {
            checkKeys(t, vp, List.of("betas", "weight_decay", "eps", "clip_grad_norm"), List.of());
            float[] betas = betas(t, vp + ".betas");
            float wd = (float) real(t, "weight_decay", vp);
            float eps = (float) real(t, "eps", vp);
            Optional<Float> clip = optionalReal(t, "clip_grad_norm", vp);
            return betas == null ? null : new Optimizer.AdamW(betas[0], betas[1], wd, eps, clip);
        }
        checkKeys(t, vp, List.of("clip_grad_norm", "weight_decay", "compression_decay", "compression_topk",
                "compression_chunk", "quantize_1bit"), List.of());
        return new Optimizer.Distro(optionalReal(t, "clip_grad_norm", vp), optionalReal(t, "weight_decay", vp),
                (float) real(t, "compression_decay", vp), smallInteger(t, "compression_topk", vp, "u16"),
                smallInteger(t, "compression_chunk", vp, "u16"), bool(t, "quantize_1bit", vp));
    }

    private float[] betas(TomlTable t, String p) {
        Object o = t.get(List.of("betas"));
        if (o == null) {
            missing(p, "betas = [0.9, 0.95]");
            return null;
        }
        if (!(o instanceof TomlArray a) || a.size() != 2 || !(isNumber(a.get(0)) && isNumber(a.get(1)))) {
            wrongType(p, o, "array of 2 floats (f32)", "write betas = [0.9, 0.95]");
            return null;
        }
        return new float[] {(float) toDouble(a.get(0)), (float) toDouble(a.get(1))};
    }

    // ---- primitives ----

    private record Variant(String name, Object payload) {}

    /**
     * Reads an externally tagged enum at {@code parent[key]} (or {@code parent} itself when key is null): a string
     * naming a unit variant, or a table with exactly one key naming a data variant.
     */
    private Variant variant(TomlTable parent, String key, String p, List<String> units, List<String> data,
                            String defaultUnit) {
        Object o = key == null ? parent : parent.get(List.of(key));
        List<String> all = Stream.concat(units.stream(), data.stream()).toList();
        String example = example(p, units, data);
        if (o == null) {
            if (defaultUnit != null) return new Variant(defaultUnit, null);
            missing(p, example);
            return null;
        }
        if (o instanceof String s) {
            if (units.contains(s)) return new Variant(s, null);
            if (data.contains(s)) {
                fail(p, render(o), "variant " + s + " needs data; a bare string only names a unit variant ("
                        + (units.isEmpty() ? "this enum has none" : String.join(", ", units)) + ")", example);
                return null;
            }
            unknownVariant(p, s, all);
            return null;
        }
        if (o instanceof TomlTable t) {
            if (t.size() != 1) {
                fail(p, render(o), "an enum table must have exactly one key, the variant name (one of "
                        + String.join(", ", all) + "); found " + (t.isEmpty() ? "none" : String.join(", ", t.keySet())),
                        t.isEmpty() ? example : "keep exactly one of " + String.join(", ", t.keySet()));
                return null;
            }
            String name = t.keySet().iterator().next();
            if (data.contains(name)) return new Variant(name, t.get(List.of(name)));
            if (units.contains(name)) {
                fail(p, render(o), "unit variant " + name + " is written as a string, not a table",
                        leaf(p) + " = \"" + name + "\"");
                return null;
            }
            unknownVariant(p, name, all);
            return null;
        }
        wrongType(p, o, "string or table naming one of " + String.join(", ", all), example);
        return null;
    }

    private static String leaf(String p) { return p.substring(p.lastIndexOf('.') + 1); }

    /** A one-line fix that writes a sensible variant of the enum at {@code p}. */
    private static String example(String p, List<String> units, List<String> data) {
        switch (leaf(p)) {
            case "model": return "add a [model.LLM] table (max_seq_len, cold_start_warmup_steps, architecture, data_type, ...)";
            case "checkpoint": return "add [model.LLM.checkpoint.Hub] with repo_id = \"owner/model\"";
            case "data_location": return "write data_location = { Local = \"path\" } or add a [model.LLM.data_location.Http] table";
            case "location": return "add [" + p + ".Gcp] with bucket_name and filter_directory, or write location = { SingleUrl = \"https://...\" }";
            case "shuffle": return "write shuffle = \"DontShuffle\" or shuffle = { Seeded = [32 integers 0..255] }";
            case "lr_schedule": return "add [model.LLM.lr_schedule.Cosine] with base_lr, warmup_init_lr, final_lr, warmup_steps, total_steps";
            case "optimizer": return "add [model.LLM.optimizer.Distro] with compression_decay, compression_topk, compression_chunk, quantize_1bit";
            default:
                if (!units.isEmpty() && data.isEmpty()) return "write " + leaf(p) + " = \"" + units.get(0) + "\" (one of " + String.join(", ", units) + ")";
                return "write " + leaf(p) + " as one of " + String.join(", ", units) + (units.isEmpty() ? "" : ", ") + String.join(", ", data);
        }
    }

    private void unknownVariant(String p, String name, List<String> all) {
        Optional<String> guess = KeyNames.closest(name, all);
        fail(p, "\"" + name + "\"", "unknown variant `" + name + "`" + guess.map(g -> ", did you mean `" + g + "`?").orElse("")
                        + " (expected one of " + String.join(", ", all) + ")",
                guess.map(g -> "replace " + name + " with " + g).orElse("use one of " + String.join(", ", all)));
    }

    private <E extends Enum<E>> E unitEnum(TomlTable t, String key, String p, Class<E> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        Variant v = variant(t, key, p, names, List.of(), null);
        return v == null ? null : Enum.valueOf(type, v.name);
    }

    private TomlTable table(TomlTable parent, String key, String p) {
        Object o = parent.get(List.of(key));
        if (o == null) {
            missing(p, "add a [" + p + "] table");
            return null;
        }
        if (!(o instanceof TomlTable t)) {
            wrongType(p, o, "table", "make " + p + " a [" + p + "] table");
            return null;
        }
        return t;
    }

    private TomlTable asTable(Object payload, String p) {
        if (payload instanceof TomlTable t) return t;
        wrongType(p, payload, "table", "write the fields of " + leaf(p) + " under a [" + p + "] table");
        return null;
    }

    private String asString(Object payload, String p) {
        if (payload instanceof String s) return s;
        wrongType(p, payload, "string", "write " + leaf(p) + " = \"...\" (a string)");
        return null;
    }

    private long integer(TomlTable t, String key, String p, String rustType) {
        String kp = p + "." + key;
        Object o = t.get(List.of(key));
        if (o == null) {
            missing(kp, "add " + key + " = <integer, " + rustType + ">");
            return 0;
        }
        if (!(o instanceof Long n)) {
            wrongType(kp, o, "integer (" + rustType + ")", "write " + key + " as a whole number without quotes");
            return 0;
        }
        return n;
    }

    private int smallInteger(TomlTable t, String key, String p, String rustType) {
        long n = integer(t, key, p, rustType);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            String max = rustType.equals("u8") ? "255" : "65535";
            fail(p + "." + key, Long.toString(n), key + " (" + n + ") does not fit in " + rustType + " (0.." + max + ")",
                    "set " + key + " between 0 and " + max);
            return 0;
        }
        return (int) n;
    }

    private double real(TomlTable t, String key, String p) {
        String kp = p + "." + key;
        Object o = t.get(List.of(key));
        if (o == null) {
            missing(kp, "add " + key + " = <float>");
            return 0;
        }
        if (!isNumber(o)) {
            wrongType(kp, o, "float", "write " + key + " as a number without quotes, e.g. 1.0e-4");
            return 0;
        }
        return toDouble(o);
    }

    private Optional<Float> optionalReal(TomlTable t, String key, String p) {
        Object o = t.get(List.of(key));
        if (o == null) return Optional.empty();
        if (!isNumber(o)) {
            wrongType(p + "." + key, o, "float (optional)", "write " + key + " as a number, or remove the key");
            return Optional.empty();
        }
        return Optional.of((float) toDouble(o));
    }

    private boolean bool(TomlTable t, String key, String p) {
        String kp = p + "." + key;
        Object o = t.get(List.of(key));
        if (o == null) {
            missing(kp, "add " + key + " = true or false");
            return false;
        }
        if (!(o instanceof Boolean b)) {
            wrongType(kp, o, "boolean", "write " + key + " = true or " + key + " = false (no quotes)");
            return false;
        }
        return b;
    }

    private String string(TomlTable t, String key, String p) {
        Object o = t.get(List.of(key));
        if (o == null) {
            missing(p, "add " + key + " = \"...\"");
            return null;
        }
        if (!(o instanceof String s)) {
            wrongType(p, o, "string", "put the value of " + key + " in double quotes");
            return null;
        }
        return s;
    }

    private Optional<String> optionalString(TomlTable t, String key, String p) {
        Object o = t.get(List.of(key));
        if (o == null) return Optional.empty();
        if (!(o instanceof String s)) {
            wrongType(p, o, "string (optional)", "put the value of " + key + " in double quotes, or remove the key");
            return Optional.empty();
        }
        return Optional.of(s);
    }

    private static boolean isNumber(Object o) { return o instanceof Long || o instanceof Double; }

    // serde's f64/f32 visitors accept TOML integers too
    private static double toDouble(Object o) { return o instanceof Long l ? l.doubleValue() : (Double) o; }

    /** Unknown keys are errors: Psyche's serde ignores them silently, which hides typos in optional keys. */
    private void checkKeys(TomlTable t, String p, List<String> known, List<String> tolerated) {
        for (String key : t.keySet()) {
            if (known.contains(key) || tolerated.contains(key)) continue;
            String kp = p.isEmpty() ? key : p + "." + key;
            Optional<String> guess = KeyNames.closest(key, known);
            TomlPosition pos = t.inputPositionOf(List.of(key));
            String at = pos == null ? "" : " (line " + pos.line() + ")";
            violations.add(Violation.error(kp, render(t.get(List.of(key))),
                    "unknown key `" + key + "`" + at + guess.map(g -> ", did you mean `" + g + "`?").orElse("")
                            + " (Psyche ignores unknown keys silently)",
                    guess.map(g -> "rename " + key + " to " + g).orElse("remove " + key + "; known keys here: "
                            + String.join(", ", known))));
        }
    }

    private void missing(String p, String fix) {
        incomplete = true;
        violations.add(Violation.error(p, "(missing)", "missing required key " + p, fix));
    }

    private void wrongType(String p, Object found, String expected, String fix) {
        incomplete = true;
        violations.add(Violation.error(p, render(found), "wrong type: expected " + expected + ", found " + typeName(found),
                fix));
    }

    private void fail(String p, String value, String rule, String fix) {
        incomplete = true;
        violations.add(Violation.error(p, value, rule, fix));
    }

    static String typeName(Object o) {
        if (o == null) return "nothing";
        if (o instanceof Long) return "integer";
        if (o instanceof Double) return "float";
        if (o instanceof String) return "string";
        if (o instanceof Boolean) return "boolean";
        if (o instanceof TomlTable) return "table";
        if (o instanceof TomlArray) return "array";
        return "date/time";
    }

    /** A value as TOML text, cut to {@link #MAX_RENDERED} characters. */
    static String render(Object o) {
        String full = renderFull(o);
        return full.length() <= MAX_RENDERED ? full : full.substring(0, MAX_RENDERED - 1) + "…";
    }

    static final int MAX_RENDERED = 160;

    static String renderFull(Object o) {
        if (o == null) return "(missing)";
        if (o instanceof String s) return TomlConfigWriter.quote(s);
        if (o instanceof TomlTable t) {
            return t.keySet().stream().map(k -> k + " = " + renderFull(t.get(List.of(k))))
                    .collect(Collectors.joining(", ", "{ ", " }"));
        }
        if (o instanceof TomlArray a) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) items.add(renderFull(a.get(i)));
            return "[" + String.join(", ", items) + "]";
        }
        return String.valueOf(o);
    }
}
