package psyche.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.Objects;

/** A simulation's timeline and summary; {@link #toJson()} is byte-identical for identical inputs and seed. */
public record SimulationResult(Timeline timeline, SimulationSummary summary) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);

    public SimulationResult {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(summary, "summary");
    }

    /** {@code {"summary": …, "timeline": [events…]}}, pretty-printed with "\n" line ends on every platform. */
    public String toJson() {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter();
        pp.indentArraysWith(new DefaultIndenter("  ", "\n"));
        pp.indentObjectsWith(new DefaultIndenter("  ", "\n"));
        try {
            return JSON.writer(pp).writeValueAsString(new Json(summary, timeline.events()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("simulation result could not be written as JSON: " + e.getMessage(), e);
        }
    }

    private record Json(SimulationSummary summary, java.util.List<TimelineEvent> timeline) {}
}
