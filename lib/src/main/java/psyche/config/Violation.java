package psyche.config;

import java.util.Objects;

/**
 * One problem found in a config: where ({@code keyPath}, the dotted TOML path such as {@code config.warmup_time}),
 * the offending value as written, the rule it breaks (a sentence) and a one-line fix.
 */
public record Violation(Severity severity, String keyPath, String value, String rule, String fix) {
    public Violation {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(keyPath, "keyPath");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(fix, "fix");
    }

    public static Violation error(String keyPath, Object value, String rule, String fix) {
        return new Violation(Severity.ERROR, keyPath, String.valueOf(value), rule, fix);
    }

    public static Violation warning(String keyPath, Object value, String rule, String fix) {
        return new Violation(Severity.WARNING, keyPath, String.valueOf(value), rule, fix);
    }

    public boolean isError() { return severity == Severity.ERROR; }

    /** Two lines: {@code ERROR   config.warmup_time = 60: <rule>} and {@code         fix: <fix>}. */
    public String render() {
        String where = keyPath.isEmpty() ? "(file)" : keyPath;
        return String.format("%-7s %s = %s: %s%n        fix: %s", severity, where, value, rule, fix);
    }

    @Override public String toString() { return render(); }
}
