package psyche.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a lenient read: the config when the TOML could be mapped onto the schema, and every problem met on
 * the way (syntax errors with line/column, unknown keys, wrong types, missing keys). Schema validation
 * ({@link Validation}) is separate.
 */
public record LoadedConfig(Optional<RunConfig> config, List<Violation> violations) {
    public LoadedConfig {
        Objects.requireNonNull(config, "config");
        violations = List.copyOf(violations);
    }

    public boolean hasErrors() { return violations.stream().anyMatch(Violation::isError); }
}
