package psyche.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Compares two executions of one notebook cell by cell. What is compared: each code cell's text outputs (printed
 * text, {@code text/plain}, {@code text/html}, errors) and its images: PNG outputs and PNGs inlined in HTML by their
 * decoded pixels (so encoder metadata does not count, a changed pixel does), SVG outputs by their text with element
 * ids removed. What is left out, because it differs on every run by design: values marked {@link Timing#MARK}, cells
 * tagged {@value #TIMING_TAG}, inlined images whose alt text carries {@link Timing#MARK} (a throughput chart in a
 * live view), and the names of things created fresh each run: temporary paths, free loopback ports, dates and times, base58 keys and
 * transaction signatures.
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
    // an <img> with a PNG data URI (Cards.image, Reports): its alt says whether it is a timing chart
    private static final Pattern IMG_TAG = Pattern.compile("<img\\b[^>]*?src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"[^>]*>");
    private static final Pattern ALT = Pattern.compile("\\balt=\"([^\"]*)\"");
    private static final Pattern SVG_ID = Pattern.compile("\\s(?:id|clip-path|mask|filter)=\"[^\"]*\"|url\\(#[^)]*\\)|(?:xlink:)?href=\"#[^\"]*\"");
    private static final Pattern LOOPBACK_PORT = Pattern.compile("\\b(127\\.0\\.0\\.1|localhost):\\d{2,5}\\b"); // free ports
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
                    if (data.has("image/png")) sb.append(pngLine(NotebookJson.text(data.get("image/png")))).append('\n');
                    if (data.has("image/svg+xml")) sb.append(svgLine(NotebookJson.text(data.get("image/svg+xml")))).append('\n');
                }
                default -> { }
            }
        }
        List<String> lines = new ArrayList<>();
        for (String line : inlineImages(sb.toString()).split("\n")) lines.add(mask(line));
        return lines;
    }

    /** Each inlined PNG replaced by its pixels' fingerprint, or by a timing placeholder when its alt says so. */
    static String inlineImages(String html) {
        java.util.regex.Matcher m = IMG_TAG.matcher(html);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            java.util.regex.Matcher alt = ALT.matcher(m.group());
            String altText = alt.find() ? alt.group(1) : "";
            String replacement = altText.contains(Timing.MARK) ? "<image left out: timing>"
                    : "<" + pngLine(m.group(1)) + (altText.isEmpty() ? "" : " alt=\"" + altText + "\"") + ">";
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * "image/png W×H pixels HASH": the decoded pixels' sha256, so two renderings of the same chart compare equal
     * whatever the encoder wrote around them; bytes that do not decode are fingerprinted as they are.
     */
    static String pngLine(String base64) {
        byte[] bytes;
        try {
            bytes = java.util.Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return "image/png (not base64) " + sha256(base64.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        try {
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            if (img != null) {
                int w = img.getWidth(), h = img.getHeight();
                int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(argb.length * 4);
                buf.asIntBuffer().put(argb);
                return "image/png " + w + "×" + h + " pixels " + sha256(buf.array());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not a decodable PNG: compare its bytes
        }
        return "image/png (undecodable) bytes " + sha256(bytes);
    }

    /** "image/svg+xml HASH" of the SVG text with generated ids (and references to them) and instants removed. */
    static String svgLine(String svg) {
        String normalized = INSTANT.matcher(SVG_ID.matcher(svg).replaceAll("")).replaceAll("<time>");
        return "image/svg+xml " + sha256(normalized.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String mask(String s) {
        s = INLINE_IMAGE.matcher(s).replaceAll("<image>");
        s = TIMED.matcher(s).replaceAll("<timing>");
        s = TEMP.matcher(s).replaceAll("<tmp>");
        s = LOOPBACK_PORT.matcher(s).replaceAll("$1:<port>");
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
