package psyche.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The few nbformat 4 operations reports need, on Jackson trees (everything else in a notebook is kept as read). */
final class NotebookJson {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private NotebookJson() {}

    static ObjectNode read(Path file) {
        try {
            JsonNode n = MAPPER.readTree(file.toFile());
            if (!(n instanceof ObjectNode o) || !(o.get("cells") instanceof ArrayNode)) {
                throw new ReportException(file + " is not a Jupyter notebook (nbformat 4 JSON with \"cells\")");
            }
            return o;
        } catch (IOException e) {
            throw new ReportException("cannot read the notebook " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(ObjectNode notebook, Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, MAPPER.writeValueAsString(notebook) + "\n");
        } catch (IOException e) {
            throw new ReportException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static ArrayNode cells(ObjectNode notebook) {
        return (ArrayNode) notebook.get("cells");
    }

    /** nbformat keeps multi-line strings either as one string or as a list of lines. */
    static String text(JsonNode n) {
        if (n == null || n.isNull()) return "";
        if (n.isArray()) {
            StringBuilder sb = new StringBuilder();
            n.forEach(e -> sb.append(e.asText()));
            return sb.toString();
        }
        return n.asText();
    }

    static String source(ObjectNode cell) {
        return text(cell.get("source"));
    }

    static boolean hasTag(ObjectNode cell, String tag) {
        JsonNode tags = cell.path("metadata").path("tags");
        if (!tags.isArray()) return false;
        for (JsonNode t : tags) if (t.asText().equals(tag)) return true;
        return false;
    }

    static ObjectNode cellTagged(ObjectNode notebook, String tag) {
        for (JsonNode c : cells(notebook)) if (hasTag((ObjectNode) c, tag)) return (ObjectNode) c;
        return null;
    }

    static int indexOf(ObjectNode notebook, ObjectNode cell) {
        ArrayNode cells = cells(notebook);
        for (int i = 0; i < cells.size(); i++) if (cells.get(i) == cell) return i;
        return -1;
    }

    static ObjectNode codeCell(String source, String tag) {
        ObjectNode c = MAPPER.createObjectNode();
        c.put("cell_type", "code");
        c.putNull("execution_count");
        c.putObject("metadata").putArray("tags").add(tag);
        c.putArray("outputs");
        c.put("source", source);
        return c;
    }

    static ObjectNode markdownCell(String source, String tag) {
        ObjectNode c = MAPPER.createObjectNode();
        c.put("cell_type", "markdown");
        c.putObject("metadata").putArray("tags").add(tag);
        c.put("source", source);
        return c;
    }

    /** Inserts a cell; nbformat 4.5 and later want a unique id on every cell (4.4 and earlier forbid one). */
    static void insert(ObjectNode notebook, int index, ObjectNode cell, String id) {
        if (notebook.path("nbformat").asInt(4) > 4 || notebook.path("nbformat_minor").asInt(0) >= 5) cell.put("id", id);
        cells(notebook).insert(index, cell);
    }

    /** {@code metadata.psyche}, created when missing. */
    static ObjectNode psycheMetadata(ObjectNode notebook) {
        ObjectNode meta = notebook.has("metadata") && notebook.get("metadata").isObject()
                ? (ObjectNode) notebook.get("metadata") : notebook.putObject("metadata");
        return meta.has("psyche") && meta.get("psyche").isObject() ? (ObjectNode) meta.get("psyche") : meta.putObject("psyche");
    }
}
