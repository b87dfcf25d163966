package psyche.config;

import psyche.PsycheException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A config could not be read: the file is missing or unreadable, the TOML is malformed (line and column known), or
 * the TOML does not fit Psyche's schema (key path known). Unchecked; {@link #violations()} lists every problem found.
 */
public final class ConfigException extends PsycheException {
    private final int line;
    private final int column;
    private final String keyPath;
    private final transient List<Violation> violations;

    public ConfigException(String message, int line, int column, String keyPath, List<Violation> violations,
                           Throwable cause) {
        super(message, cause);
        this.line = line;
        this.column = column;
        this.keyPath = keyPath;
        this.violations = List.copyOf(violations);
    }

    static ConfigException unreadable(String what, Throwable cause) {
        return new ConfigException(what, 0, 0, null, List.of(), cause);
    }

    /** 1-based line of the first TOML syntax error, if the problem is one. */
    public OptionalInt line() { return line > 0 ? OptionalInt.of(line) : OptionalInt.empty(); }

    /** 1-based column of the first TOML syntax error, if the problem is one. */
    public OptionalInt column() { return column > 0 ? OptionalInt.of(column) : OptionalInt.empty(); }

    /** Dotted TOML key path of the first schema problem (wrong type, missing key...), if the problem is one. */
    public Optional<String> keyPath() { return Optional.ofNullable(keyPath); }

    public List<Violation> violations() { return violations; }

    @Override public String hint() {
        return "fix the file at the place named, then check it offline with `run-manager validate-config --config <file>`";
    }
}
