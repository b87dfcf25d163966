package psyche.kernel;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import psyche.display.Values;

/**
 * A compact status card: a title, an optional status badge and labelled rows. Renders as an HTML card and as
 * aligned plain text. {@link #ofRecord} makes one from any record, so library types need no kernel code.
 */
public record Card(String title, String status, List<Row> rows) {
    public record Row(String label, String value) {
        public Row {
            Objects.requireNonNull(label, "label");
            value = String.valueOf(value);
        }
    }

    public Card {
        Objects.requireNonNull(title, "title");
        rows = List.copyOf(rows);
    }

    /**
     * One row per record component, in declaration order; values described for people ({@link Values#describe}):
     * Optionals unwrapped, numbers by the number policy, nested records on one line.
     */
    public static Card ofRecord(String title, String status, Record record) {
        List<Row> rows = new ArrayList<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            rows.add(new Row(c.getName(), Values.describe(Values.read(record, c), c.getName())));
        }
        return new Card(title, status, rows);
    }

    public Card with(String label, Object value) {
        List<Row> more = new ArrayList<>(rows);
        more.add(new Row(label, String.valueOf(value)));
        return new Card(title, status, more);
    }

    public String toText() {
        int width = rows.stream().mapToInt(r -> r.label().length()).max().orElse(0);
        StringBuilder out = new StringBuilder(title);
        if (status != null) out.append(" [").append(status).append(']');
        for (Row r : rows) {
            out.append('\n').append("  ").append(r.label()).append(" ".repeat(width - r.label().length()))
                    .append("  ").append(r.value());
        }
        return out.toString();
    }

    public String toHtml() {
        StringBuilder out = new StringBuilder()
                .append("<div style=\"display:inline-block;border:1px solid #d0d7de;border-radius:8px;padding:8px 12px;")
                .append("font-family:system-ui,sans-serif;font-size:13px;min-width:260px\">")
                .append("<div style=\"font-weight:600;margin-bottom:6px\">").append(psyche.display.Html.escape(title));
        if (status != null) {
            out.append(" <span style=\"background:#ddf4ff;color:#0969da;border-radius:10px;padding:1px 8px;")
                    .append("font-weight:500;font-size:12px\">").append(psyche.display.Html.escape(status)).append("</span>");
        }
        out.append("</div><table style=\"border-collapse:collapse\">");
        for (Row r : rows) {
            out.append("<tr><td style=\"color:#57606a;padding:1px 12px 1px 0;text-align:left;white-space:nowrap;vertical-align:top\">")
                    .append(psyche.display.Html.escape(r.label())).append("</td><td style=\"text-align:left;vertical-align:top;padding:1px 0;font-family:monospace\">")
                    .append(psyche.display.Html.escape(r.value())).append("</td></tr>");
        }
        return out.append("</table></div>").toString();
    }
}
