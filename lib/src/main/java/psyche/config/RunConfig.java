package psyche.config;

import java.util.Objects;

/** A whole {@code config.toml}: the {@code [config]} table and the {@code [model.LLM]} table. */
public record RunConfig(CoordinatorConfig config, LlmModel model) {
    public RunConfig {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(model, "model");
    }
}
