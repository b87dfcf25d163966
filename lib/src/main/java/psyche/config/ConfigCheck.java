package psyche.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code validate-config} reports about one file: read problems and validation violations together,
 * plus a summary of the run when the file maps onto the schema.
 */
public record ConfigCheck(String source, Optional<RunConfig> config, ValidationReport report,
                          Optional<RunSummary> summary) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    public ConfigCheck {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(summary, "summary");
    }

    /** Reads {@code path} leniently and validates it; throws {@link ConfigException} only if it cannot be read. */
    public static ConfigCheck of(Path path, ValidationOptions options) {
        return of(path.toString(), RunConfigs.load(path), options);
    }

    public static ConfigCheck ofString(String source, String toml, ValidationOptions options) {
        return of(source, RunConfigs.loadString(toml), options);
    }

    private static ConfigCheck of(String source, LoadedConfig loaded, ValidationOptions options) {
        ValidationReport report = ValidationReport.of(loaded.violations());
        if (loaded.config().isPresent()) report = report.plus(Validation.check(loaded.config().get(), options).violations());
        return new ConfigCheck(source, loaded.config(), report, loaded.config().map(RunSummary::of));
    }

    public boolean isValid() { return report.isValid(); }

    public String render() {
        StringBuilder b = new StringBuilder();
        b.append(source).append(": ").append(isValid() ? "valid" : "INVALID").append('\n');
        b.append(report.render());
        summary.ifPresent(s -> b.append('\n').append(s.render()));
        return b.toString();
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("config_path", source);
        root.put("valid", isValid());
        root.put("errors", report.errors().size());
        root.put("warnings", report.warnings().size());
        ArrayNode list = root.putArray("violations");
        for (Violation v : report.violations()) {
            ObjectNode n = list.addObject();
            n.put("severity", v.severity().name());
            n.put("key_path", v.keyPath());
            n.put("value", v.value());
            n.put("rule", v.rule());
            n.put("fix", v.fix());
        }
        if (summary.isPresent()) root.set("summary", JSON.valueToTree(summary.get()));
        else root.putNull("summary");
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the config check as JSON", e);
        }
    }
}
