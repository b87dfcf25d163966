package psyche.config;

import java.util.Objects;

/** One changed key between two configs, with the old and new values as TOML text ("(absent)" when missing). */
public record Change(String keyPath, String oldValue, String newValue, Safety safety) {
    public Change {
        Objects.requireNonNull(keyPath, "keyPath");
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        Objects.requireNonNull(safety, "safety");
    }

    /** Why the change has its safety class, in one sentence. */
    public String reason() { return ConfigDiff.reason(this); }

    public String render() {
        return renderWithoutReason() + "  (" + reason() + ")";
    }

    /** Safety label, key, old and new value (lists say a shared reason once). */
    public String renderWithoutReason() {
        String label = switch (safety) {
            case SAFE_ANYTIME -> "safe   ";
            case NEEDS_HALTED -> "halted ";
            case UNSAFE_MID_RUN -> "UNSAFE ";
        };
        return label + keyPath + ": " + oldValue + " -> " + newValue;
    }

    @Override public String toString() { return render(); }
}
