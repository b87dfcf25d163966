package psyche.config;

import org.tomlj.Toml;
import org.tomlj.TomlTable;
import psyche.coordinator.Progress;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What changes between two configs, and whether each change is safe on a live run. Compares the TOML form of both
 * configs key by key; an enum whose variant changes is one change at the enum's key.
 */
public final class ConfigDiff {
    /** Keys holding an externally tagged enum (variant = the single key of its table, or a string). */
    private static final Set<String> ENUM_PATHS = Set.of("model", "model.LLM.checkpoint", "model.LLM.data_location",
            "model.LLM.data_location.Http.location", "model.LLM.data_location.Http.shuffle", "model.LLM.lr_schedule",
            "model.LLM.optimizer");

    private ConfigDiff() {}

    public static List<Change> diff(RunConfig old, RunConfig neu) {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(neu, "neu");
        List<Change> out = new ArrayList<>();
        compare(Toml.parse(RunConfigs.toToml(old)), Toml.parse(RunConfigs.toToml(neu)), "", out);
        return List.copyOf(out);
    }

    public static List<Change> diff(RunMetadata old, RunMetadata neu) {
        List<Change> out = new ArrayList<>();
        field(out, "metadata.name", quote(old.name()), quote(neu.name()));
        field(out, "metadata.description", quote(old.description()), quote(neu.description()));
        field(out, "metadata.num_parameters", Long.toString(old.numParameters()), Long.toString(neu.numParameters()));
        field(out, "metadata.vocab_size", Long.toString(old.vocabSize()), Long.toString(neu.vocabSize()));
        return List.copyOf(out);
    }

    /** Progress (as set by {@code update-config --restart-from-step}): applied only while halted. */
    public static List<Change> diff(Progress old, Progress neu) {
        List<Change> out = new ArrayList<>();
        field(out, "progress.epoch", Integer.toString(old.epoch()), Integer.toString(neu.epoch()));
        field(out, "progress.step", Long.toString(old.step()), Long.toString(neu.step()));
        field(out, "progress.epoch_start_data_index", Long.toString(old.epochStartDataIndex()),
                Long.toString(neu.epochStartDataIndex()));
        return List.copyOf(out);
    }

    /** The least safe class among {@code changes} (SAFE_ANYTIME when there are none). */
    public static Safety worst(List<Change> changes) {
        return changes.stream().map(Change::safety).max(Enum::compareTo).orElse(Safety.SAFE_ANYTIME);
    }

    /** A readable list: a count line, then one line per change. */
    public static String render(List<Change> changes) {
        if (changes.isEmpty()) return "no changes\n";
        long safe = changes.stream().filter(c -> c.safety() == Safety.SAFE_ANYTIME).count();
        long halted = changes.stream().filter(c -> c.safety() == Safety.NEEDS_HALTED).count();
        long unsafe = changes.stream().filter(c -> c.safety() == Safety.UNSAFE_MID_RUN).count();
        StringBuilder b = new StringBuilder();
        b.append(changes.size()).append(changes.size() == 1 ? " change: " : " changes: ").append(safe)
                .append(" safe any time, ").append(halted).append(" need a halted (paused) run, ").append(unsafe)
                .append(" unsafe mid-run\n");
        // the same reason is said once, under the changes it explains
        java.util.Map<String, List<Change>> byReason = new java.util.LinkedHashMap<>();
        for (Change c : changes) byReason.computeIfAbsent(c.reason(), k -> new java.util.ArrayList<>()).add(c);
        byReason.forEach((reason, group) -> {
            for (Change c : group) b.append("  ").append(c.renderWithoutReason()).append('\n');
            b.append("      (").append(reason).append(")\n");
        });
        return b.toString();
    }

    /**
     * The first config of a new run (Uninitialized: nothing runs yet, so no change is unsafe): the values it sets,
     * without safety classes.
     */
    public static String renderInitial(List<Change> changes) {
        if (changes.isEmpty()) return "no changes\n";
        StringBuilder b = new StringBuilder("first config of the run: ").append(changes.size())
                .append(changes.size() == 1 ? " value set" : " values set").append(" (the run has not started, so none is unsafe)\n");
        for (Change c : changes) b.append("  ").append(c.keyPath()).append(" = ").append(c.newValue()).append('\n');
        return b.toString();
    }

    private static void compare(TomlTable a, TomlTable b, String prefix, List<Change> out) {
        Set<String> keys = new LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String key : keys) {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            Object va = a.get(List.of(key)), vb = b.get(List.of(key));
            if (ENUM_PATHS.contains(path)) {
                String na = variant(va), nb = variant(vb);
                if (!Objects.equals(na, nb)) {
                    add(out, path, va, vb);
                } else if (va instanceof TomlTable ta && vb instanceof TomlTable tb) {
                    Object pa = ta.get(List.of(na)), pb = tb.get(List.of(nb));
                    if (pa instanceof TomlTable sa && pb instanceof TomlTable sb) compare(sa, sb, path + "." + na, out);
                    else if (!same(pa, pb)) add(out, path + "." + na, pa, pb);
                }
            } else if (va instanceof TomlTable ta && vb instanceof TomlTable tb) {
                compare(ta, tb, path, out);
            } else if (!same(va, vb)) {
                add(out, path, va, vb);
            }
        }
    }

    private static String variant(Object v) {
        if (v instanceof String s) return s;
        if (v instanceof TomlTable t && t.size() == 1) return t.keySet().iterator().next();
        return null;
    }

    private static void add(List<Change> out, String path, Object va, Object vb) {
        out.add(new Change(path, render(va), render(vb), classify(path, va, vb)));
    }

    private static void field(List<Change> out, String path, String a, String b) {
        if (!a.equals(b)) out.add(new Change(path, a, b, classify(path, null, null)));
    }

    private static boolean same(Object a, Object b) {
        return a == null ? b == null : b != null && TomlConfigReader.renderFull(a).equals(TomlConfigReader.renderFull(b));
    }

    private static String render(Object v) {
        return v == null ? "(absent)" : TomlConfigReader.render(v);
    }

    private static String quote(String s) { return TomlConfigWriter.quote(s); }

    static Safety classify(String path, Object oldValue, Object newValue) {
        if (path.startsWith("metadata.")) return Safety.SAFE_ANYTIME;
        if (path.equals("model.LLM.checkpoint") && sameRepoOtherMode(oldValue, newValue)) return Safety.NEEDS_HALTED;
        if (path.equals("model") || path.equals("model.LLM.architecture") || path.equals("model.LLM.max_seq_len")
                || path.equals("model.LLM.data_type") || path.startsWith("model.LLM.checkpoint")
                || path.startsWith("model.LLM.data_location")) {
            return Safety.UNSAFE_MID_RUN;
        }
        return Safety.NEEDS_HALTED;
    }

    /** Hub(r) and P2P(r), or Gcs(b) and P2PGcs(b): the coordinator itself switches between them at epoch ends. */
    private static boolean sameRepoOtherMode(Object a, Object b) {
        if (!(a instanceof TomlTable ta) || !(b instanceof TomlTable tb)) return false;
        String na = variant(ta), nb = variant(tb);
        Set<String> pair = Set.of(String.valueOf(na), String.valueOf(nb));
        boolean hub = pair.equals(Set.of("Hub", "P2P")), gcs = pair.equals(Set.of("Gcs", "P2PGcs"));
        return (hub || gcs) && same(ta.get(List.of(na)), tb.get(List.of(nb)));
    }

    static String reason(Change c) {
        String p = c.keyPath();
        return switch (c.safety()) {
            case SAFE_ANYTIME -> "metadata: update accepts it in any state";
            case NEEDS_HALTED -> p.equals("model.LLM.checkpoint")
                    ? "same repository, other mode: the coordinator switches Hub/P2P and Gcs/P2PGcs itself; pause first"
                    : p.startsWith("progress.") ? "progress: applied only while the run is paused"
                    : "the program accepts config and model changes only while the run is paused; takes effect next epoch";
            case UNSAFE_MID_RUN -> p.startsWith("model.LLM.checkpoint")
                    ? "checkpoint location: clients joining mid-run would fetch a different model"
                    : p.startsWith("model.LLM.data_location")
                    ? "data provider: clients may have cached data and the data index no longer matches"
                    : "model architecture/shape: running clients' model and optimizer state no longer fit";
        };
    }
}
