package psyche.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Compares two executions of one notebook cell by cell. What is compared: each code cell's text outputs (printed
 * text, {@code text/plain}, {@code text/html}, errors). What is left out, because it differs on every run by design:
 * values marked {@link Timing#MARK}, cells tagged {@value #TIMING_TAG}, images (charts of wall-clock time), and the
 * names of things created fresh each run: temporary paths, dates and times, base58 keys and transaction signatures.
 */
public final class ReproducibilityCheck {
    public static final String TIMING_TAG = "timing";

    /** A cell whose outputs differ: its execution label, first source line, and the first differing lines. */
    public record Difference(String cell, String source, String first, String second) {
        @Override public String toString() {
            return cell + " (" + source + "):\n    run 1: " + first + "\n    run 2: " + second;
        }
    }

    private static final Pattern TIMED = Pattern.compile("[-+]?[\\d.,]+(?:[eE][-+]?\\d+)?(?:\\s*[^\\s()]+)?\\s*\\(timing\\)");
    // images inlined in HTML (live views' charts of wall-clock series): left out like image outputs
    private static final Pattern INLINE_IMAGE = Pattern.compile("data:image/[a-zA-Z+.-]+;base64,[A-Za-z0-9+/=]+");
    private static final Pattern TEMP = Pattern.compile("/tmp/[^\\s\"'<>,;)\\]]*");
    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z?");
    private static final Pattern BASE58 = Pattern.compile("\\b[1-9A-HJ-NP-Za-km-z]{32,88}\\b"); // keys (32-44), signatures (87-88)

    private ReproducibilityCheck() {}

    public static List<Difference> compare(Path first, Path second) {
        return compare(NotebookJson.read(first), NotebookJson.read(second));
    }

    public static List<Difference> compare(ObjectNode first, ObjectNode second) {
        List<ObjectNode> a = codeCells(first);
        List<ObjectNode> b = codeCells(second);
        List<Difference> out = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            ObjectNode ca = i < a.size() ? a.get(i) : null;
            ObjectNode cb = i < b.size() ? b.get(i) : null;
            ObjectNode any = ca != null ? ca : cb;
            if (NotebookJson.hasTag(any, TIMING_TAG)) continue;
            List<String> la = ca == null ? List.of("(cell missing)") : normalizedLines(ca);
            List<String> lb = cb == null ? List.of("(cell missing)") : normalizedLines(cb);
            if (la.equals(lb)) continue;
            int k = 0;
            while (k < la.size() && k < lb.size() && la.get(k).equals(lb.get(k))) k++;
            String x = k < la.size() ? la.get(k) : "(no more output)";
            String y = k < lb.size() ? lb.get(k) : "(no more output)";
            out.add(new Difference(label(any, i), firstLine(NotebookJson.source(any)), around(x, y), around(y, x)));
        }
        return out;
    }

    /** A cell's text outputs with the run-specific names and timing values masked, line by line. */
    static List<String> normalizedLines(ObjectNode cell) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode o : cell.path("outputs")) {
            switch (o.path("output_type").asText()) {
                case "stream" -> sb.append(NotebookJson.text(o.get("text")));
                case "error" -> sb.append(o.path("ename").asText()).append(": ").append(o.path("evalue").asText()).append('\n');
                case "execute_result", "display_data" -> {
                    JsonNode data = o.path("data");
                    // html carries the same numbers as text/plain; prefer it when present (tables)
                    if (data.has("text/html")) sb.append(NotebookJson.text(data.get("text/html"))).append('\n');
                    else if (data.has("text/plain")) sb.append(NotebookJson.text(data.get("text/plain"))).append('\n');
                }
                default -> { }
            }
        }
        List<String> lines = new ArrayList<>();
        for (String line : sb.toString().split("\n")) lines.add(mask(line));
        return lines;
    }

    static String mask(String s) {
        s = INLINE_IMAGE.matcher(s).replaceAll("<image>");
        s = TIMED.matcher(s).replaceAll("<timing>");
        s = TEMP.matcher(s).replaceAll("<tmp>");
        s = INSTANT.matcher(s).replaceAll("<time>");
        return BASE58.matcher(s).replaceAll("<key>");
    }

    /** Long lines (HTML tables) shortened to where they start to differ from the other run's line. */
    static String around(String line, String other) {
        if (line.length() <= 160) return line;
        int d = 0;
        while (d < line.length() && d < other.length() && line.charAt(d) == other.charAt(d)) d++;
        int from = Math.max(0, d - 60);
        int to = Math.min(line.length(), d + 100);
        return (from > 0 ? "..." : "") + line.substring(from, to) + (to < line.length() ? "..." : "");
    }

    private static List<ObjectNode> codeCells(ObjectNode nb) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode c : NotebookJson.cells(nb)) {
            if (c.path("cell_type").asText().equals("code")) out.add((ObjectNode) c);
        }
        return out;
    }

    private static String label(ObjectNode cell, int index) {
        JsonNode n = cell.get("execution_count");
        return n != null && n.isNumber() ? "cell [" + n.asInt() + "]" : "code cell " + (index + 1);
    }

    private static String firstLine(String source) {
        for (String l : source.split("\n")) {
            if (!l.isBlank()) return l.strip().length() > 70 ? l.strip().substring(0, 70) + "..." : l.strip();
        }
        return "";
    }
}
