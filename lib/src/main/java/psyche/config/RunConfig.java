package psyche.config;

import java.util.Objects;

/** A whole {@code config.toml}: the {@code [config]} table and the {@code [model.LLM]} table. */
public record RunConfig(CoordinatorConfig config, LlmModel model) {
    public RunConfig {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(model, "model");
    }

    // with*: a copy with one field changed (a notebook changes one value in one call)
    public RunConfig withConfig(CoordinatorConfig value) { return new RunConfig(value, model); }
    public RunConfig withModel(LlmModel value) { return new RunConfig(config, value); }
    /** {@code run.withConfig(c -> c.withTotalSteps(100))}: change the {@code [config]} table in one call. */
    public RunConfig withConfig(java.util.function.UnaryOperator<CoordinatorConfig> change) { return withConfig(change.apply(config)); }
    /** {@code run.withModel(m -> m.withMaxSeqLen(512))}: change the {@code [model.LLM]} table in one call. */
    public RunConfig withModel(java.util.function.UnaryOperator<LlmModel> change) { return withModel(change.apply(model)); }
}
