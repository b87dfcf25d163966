package psyche.display;

import psyche.coordinator.ClientState;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.InstanceState;
import psyche.frames.Frames;

import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;

/** Compact status cards and progress bars as {@link Html}. */
public final class Cards {
    private Cards() {}

    /** A run's state at a glance with rates in points; see {@link #run(InstanceState, Instant, TokenUnits)}. */
    public static Html run(InstanceState instance, Instant now) {
        return run(instance, now, TokenUnits.POINTS);
    }

    /**
     * A run's state at a glance: state, epoch, step of total, clients, rates in {@code units} (the collateral mint's
     * for a treasurer run), time in state vs timeout.
     */
    public static Html run(InstanceState instance, Instant now, TokenUnits units) {
        CoordinatorState c = instance.coordinator();
        long healthy = c.epochState().clients().stream().filter(cl -> cl.state() == ClientState.Healthy).count();
        long inState = Math.max(0, now.getEpochSecond() - c.runStateStartUnixTimestamp());
        OptionalLong timeout = Frames.stateTimeout(c);
        String stateLine = c.runState().display() + (c.pendingPause() ? " (pause pending)" : "")
                + (timeout.isPresent() ? " — " + Numbers.seconds(inState) + " of " + Numbers.seconds(timeout.getAsLong()) : "");
        String[][] rows = {
                {"state", stateLine},
                {"epoch", Numbers.count(c.progress().epoch())},
                {"step", Numbers.count(c.progress().step()) + " of " + Numbers.count(c.config().totalSteps())},
                {"clients", Numbers.count(c.epochState().clients().size()) + " in epoch (" + Numbers.count(healthy) + " healthy), "
                        + Numbers.count(instance.clientsState().clients().size()) + " registered"},
                {"rates", "earn " + units.formatWithName(instance.clientsState().currentEpochRates().earningRateTotalShared())
                        + " per epoch (shared), slash " + units.formatWithName(instance.clientsState().currentEpochRates().slashingRatePerClient())
                        + " per client"},
                {"client version", instance.clientVersion()},
        };
        StringBuilder html = new StringBuilder("<div style=\"border:1px solid #ccc;border-radius:6px;padding:8px 12px;"
                + "display:inline-block;font-family:sans-serif;font-size:13px\"><div style=\"font-weight:bold;margin-bottom:4px\">"
                + "Run " + Html.escape(c.runId()) + "</div><table style=\"border-collapse:collapse\">");
        StringBuilder text = new StringBuilder("Run " + c.runId());
        for (String[] r : rows) {
            html.append("<tr><td style=\"color:#666;padding-right:12px;text-align:left\">").append(Html.escape(r[0]))
                    .append("</td><td style=\"text-align:left\">").append(Html.escape(r[1])).append("</td></tr>");
            text.append("\n  ").append(String.format(Locale.ROOT, "%-15s", r[0])).append(r[1]);
        }
        html.append("</table></div>");
        return new Html(html.toString(), text.toString());
    }

    /** A titled card of label/value rows, HTML and aligned text. */
    public static Html keyValues(String title, java.util.List<String[]> rows) {
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder html = new StringBuilder("<div style=\"border:1px solid #ccc;border-radius:6px;padding:8px 12px;"
                + "display:inline-block;font-family:sans-serif;font-size:13px\"><div style=\"font-weight:bold;margin-bottom:4px\">"
                + Html.escape(title) + "</div><table style=\"border-collapse:collapse\">");
        StringBuilder text = new StringBuilder(title);
        for (String[] r : rows) {
            html.append("<tr><td style=\"color:#666;padding-right:12px;text-align:left;vertical-align:top\">").append(Html.escape(r[0]))
                    .append("</td><td style=\"text-align:left\">").append(Html.escape(r[1])).append("</td></tr>");
            text.append("\n  ").append(r[0]).append(" ".repeat(width - r[0].length() + 2)).append(r[1]);
        }
        return new Html(html.append("</table></div>").toString(), text.toString());
    }

    /** A labelled progress bar; {@code done} is clamped to [0, total]. */
    public static Html progress(String label, double done, double total) {
        double share = total <= 0 ? 0 : Math.max(0, Math.min(1, done / total));
        String pct = String.format(Locale.ROOT, "%.0f%%", share * 100);
        String html = "<div style=\"font-family:sans-serif;font-size:13px;margin:2px 0\">" + Html.escape(label)
                + " <span style=\"display:inline-block;width:300px;height:12px;background:#eee;border-radius:3px;"
                + "vertical-align:middle\"><span style=\"display:block;height:12px;border-radius:3px;background:#1E88E5;width:"
                + String.format(Locale.ROOT, "%.1f", share * 100) + "%\"></span></span> " + pct
                + " (" + Numbers.number(Math.rint(done)) + " / " + Numbers.number(Math.rint(total)) + ")</div>";
        int filled = (int) Math.round(share * 30);
        String text = label + " [" + "#".repeat(filled) + "-".repeat(30 - filled) + "] " + pct
                + " (" + Numbers.number(Math.rint(done)) + " / " + Numbers.number(Math.rint(total)) + ")";
        return new Html(html, text);
    }

    /** Stacks several pieces of output into one. */
    public static Html stack(Html... parts) {
        StringBuilder html = new StringBuilder("<div>");
        StringBuilder text = new StringBuilder();
        for (Html p : parts) {
            html.append("<div style=\"margin:4px 0\">").append(p.html()).append("</div>");
            if (text.length() > 0) text.append('\n');
            text.append(p.text());
        }
        return new Html(html.append("</div>").toString(), text.toString());
    }

    /** A PNG (e.g. a chart) inlined as a data URI, so the HTML stays self-contained in saved reports. */
    public static Html image(byte[] png, String alt) {
        return new Html("<img alt=\"" + Html.escape(alt) + "\" src=\"data:image/png;base64,"
                + java.util.Base64.getEncoder().encodeToString(png) + "\"/>", "[chart: " + alt + "]");
    }
}
