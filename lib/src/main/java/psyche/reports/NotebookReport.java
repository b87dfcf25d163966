package psyche.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two steps around a headless execution: {@link #prepare} injects the parameters before anything runs, and
 * {@link #finish} turns the executed notebook into a report (provenance card first, provenance in the metadata and
 * in {@code NAME.provenance.json}), whether or not a cell failed.
 */
public final class NotebookReport {
    public static final String PROVENANCE_TAG = "provenance";

    private NotebookReport() {}

    /** Reads {@code source}, checks and injects {@code overrides}, writes the notebook to run to {@code out}. */
    public static Map<String, Object> prepare(Path source, Map<String, Object> overrides, Path out) {
        ObjectNode nb = NotebookJson.read(source);
        Map<String, Object> effective = NotebookParameters.inject(nb, overrides);
        NotebookJson.write(nb, out);
        return effective;
    }

    /** How an executed notebook ended: "ok", or the first failing cell and its error as the kernel reported it. */
    public static String status(ObjectNode executed) {
        for (JsonNode c : NotebookJson.cells(executed)) {
            for (JsonNode o : c.path("outputs")) {
                if (o.path("output_type").asText().equals("error")) {
                    JsonNode n = c.get("execution_count");
                    String ename = o.path("ename").asText();
                    String evalue = o.path("evalue").asText();
                    // our kernel's ename is its wrapper (EvalError) when evalue already names the exception
                    String error = evalue.isEmpty() ? ename
                            : evalue.matches("(?s)^[\\w$]+(\\.[\\w$]+)+(: .*)?$") ? evalue : ename + ": " + evalue;
                    return "failed in cell [" + (n != null && n.isNumber() ? n.asInt() : "?") + "]: " + error;
                }
            }
        }
        String err = executed.path("metadata").path("psyche").path("execution_error").asText("");
        return err.isEmpty() ? "ok" : "failed: " + err;
    }

    /**
     * Adds the provenance to an executed notebook (in place) and writes it beside as JSON. {@code log}: the
     * kernel's {@link ProvenanceLog} file (may be missing: nothing read through the library).
     */
    public static Provenance finish(Path executed, Path projectRoot, Path log, String notebookName, Path provenanceOut) {
        ObjectNode nb = NotebookJson.read(executed);
        ObjectNode meta = NotebookJson.psycheMetadata(nb);
        Map<String, Object> parameters;
        if (meta.has("parameters")) {
            parameters = NotebookJson.MAPPER.convertValue(meta.get("parameters"), LinkedHashMap.class);
        } else {
            parameters = NotebookParameters.of(nb).defaults();
        }
        List<ProvenanceLog.Event> events = ProvenanceLog.read(log);
        Provenance p = Provenance.collect(projectRoot, notebookName, status(nb), parameters, events);
        ArrayNode cells = NotebookJson.cells(nb);
        for (int i = cells.size() - 1; i >= 0; i--) {
            if (NotebookJson.hasTag((ObjectNode) cells.get(i), PROVENANCE_TAG)) cells.remove(i);
        }
        NotebookJson.insert(nb, 0, NotebookJson.markdownCell(p.toHtml(), PROVENANCE_TAG), PROVENANCE_TAG);
        meta.set("provenance", NotebookJson.MAPPER.valueToTree(p));
        NotebookJson.write(nb, executed);
        if (provenanceOut != null) p.write(provenanceOut);
        return p;
    }

    /** Every error output of an executed notebook as the kernel reported it (cell, name, value, traceback). */
    public static String errors(Path executed) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : NotebookJson.cells(NotebookJson.read(executed))) {
            for (JsonNode o : c.path("outputs")) {
                if (!o.path("output_type").asText().equals("error")) continue;
                JsonNode n = c.get("execution_count");
                sb.append("cell [").append(n != null && n.isNumber() ? n.asInt() : "?").append("] failed:\n");
                for (JsonNode line : o.path("traceback")) sb.append("  ").append(stripAnsi(line.asText())).append('\n');
                if (o.path("traceback").isEmpty()) sb.append("  ").append(o.path("ename").asText()).append(": ").append(o.path("evalue").asText()).append('\n');
            }
        }
        return sb.toString();
    }

    private static String stripAnsi(String s) {
        return s.replaceAll("\u001B\\[[;\\d]*m", "");
    }
}
