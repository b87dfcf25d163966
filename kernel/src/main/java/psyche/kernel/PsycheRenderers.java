package psyche.kernel;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.dflib.jjava.jupyter.kernel.BaseNotebookStatics;
import psyche.config.RunConfig;
import psyche.coordinator.InstanceState;
import psyche.diagnose.Diagnosis;
import psyche.display.Cards;
import psyche.display.Display;
import psyche.display.DisplaySink;
import psyche.display.Html;
import psyche.coordinator.CoordinatorState;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Our renderers, installed through jjava's extension point ({@code META-INF/services/org.dflib.jjava.jupyter.Extension}):
 * Tablesaw tables as bounded HTML plus text, XChart charts as PNG (SVG on request), and status cards. Images
 * ({@code BufferedImage}) are rendered as PNG by jjava itself.
 */
public final class PsycheRenderers implements Extension {
    /** Rows shown by the table renderer; {@code -Dpsyche.kernel.table.maxRows} or {@link Notebook#maxTableRows(int)}. */
    static final AtomicInteger MAX_TABLE_ROWS = new AtomicInteger(Integer.getInteger("psyche.kernel.table.maxRows", 20));

    @Override
    public void install(BaseKernel kernel) {
        registerAll(kernel.getRenderer());
        // Library code (monitors, training sessions) shows and rewrites outputs through psyche.display.Display.
        Display.install(new DisplaySink() {
            @Override public String display(Object value) { return BaseNotebookStatics.display(value); }
            @Override public void update(String id, Object value) { BaseNotebookStatics.updateDisplay(id, value); }
        });
    }

    public static void registerAll(Renderer renderer) {
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((table, ctx) -> {
                    int max = ctx.getParameterAsInt("maxRows", MAX_TABLE_ROWS.get());
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> tableHtml(table, max));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> table.print(max));
                });
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Chart<?, ?>> chartType = (Class) Chart.class;
        renderer.createRegistration(chartType)
                .preferring(MIMEType.IMAGE_PNG)
                .supporting(MIMEType.IMAGE_SVG, MIMEType.TEXT_PLAIN)
                .register((chart, ctx) -> {
                    ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> chartPng(chart));
                    ctx.renderIfRequested(MIMEType.IMAGE_SVG, () -> chartSvg(chart));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> chartText(chart));
                });
        renderer.createRegistration(Html.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((html, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, html::html);
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, html::text);
                });
        renderer.createRegistration(InstanceState.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((state, ctx) -> {
                    Html card = Cards.run(state, Instant.now());
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, card::html);
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, card::text);
                });
        renderer.createRegistration(Diagnosis.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((d, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> tableHtml(d.toTable(), Integer.MAX_VALUE));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, d::toString);
                });
        registerCard(renderer, RunConfig.class, c -> new Card("Run config", c.model().architecture().toString(), List.of())
                .with("total steps", c.config().totalSteps())
                .with("clients (init / min)", c.config().initMinClients() + " / " + c.config().minClients())
                .with("witness nodes", c.config().witnessNodes())
                .with("global batch (start → end)", c.config().globalBatchSizeStart() + " → " + c.config().globalBatchSizeEnd())
                .with("epoch / warmup / cooldown (s)", c.config().epochTime() + " / " + c.config().warmupTime() + " / " + c.config().cooldownTime())
                .with("max seq len", c.model().maxSeqLen())
                .with("lr schedule", c.model().lrSchedule())
                .with("optimizer", c.model().optimizer())
                .with("checkpoint", c.model().checkpoint())
                .with("data", c.model().dataLocation()));
        registerCard(renderer, CoordinatorState.class, s -> new Card("Run " + s.runId(), s.runState().display(), List.of())
                .with("epoch", s.progress().epoch())
                .with("step", s.progress().step() + " of " + s.config().totalSteps())
                .with("clients", s.epochState().clients().size() + " (min " + s.config().minClients() + ")")
                .with("exited clients", s.epochState().exitedClients().size())
                .with("pending pause", s.pendingPause())
                .with("state since (unix s)", s.runStateStartUnixTimestamp()));
    }

    /** Registers a card renderer for {@code type}: HTML card preferred, plain text alongside. */
    public static <T> void registerCard(Renderer renderer, Class<T> type, CardRenderer<T> cards) {
        renderer.createRegistration(type)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((value, ctx) -> {
                    Card card = cards.card(value);
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, card::toHtml);
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, card::toText);
                });
    }

    static String tableHtml(Table table, int maxRows) {
        int rows = table.rowCount();
        int shown = Math.min(rows, Math.max(0, maxRows));
        StringBuilder out = new StringBuilder("<table style=\"border-collapse:collapse;font-size:13px\">")
                .append("<caption style=\"caption-side:top;text-align:left;font-weight:600\">")
                .append(Html.escape(table.name() == null ? "" : table.name()))
                .append(" <span style=\"font-weight:400;color:#57606a\">").append(rows).append(" rows × ")
                .append(table.columnCount()).append(" columns").append(shown < rows ? ", first " + shown + " shown" : "")
                .append("</span></caption><thead><tr>");
        for (String name : table.columnNames()) {
            out.append("<th style=\"text-align:left;border-bottom:1px solid #999;padding:2px 8px\">").append(Html.escape(name)).append("</th>");
        }
        out.append("</tr></thead><tbody>");
        for (int r = 0; r < shown; r++) {
            out.append("<tr>");
            for (Column<?> c : table.columns()) {
                out.append("<td style=\"text-align:left;padding:2px 8px;font-family:monospace\">")
                        .append(Html.escape(c.getString(r))).append("</td>");
            }
            out.append("</tr>");
        }
        if (shown < rows) {
            out.append("<tr><td colspan=\"").append(table.columnCount())
                    .append("\" style=\"color:#57606a;padding:2px 8px\">… ").append(rows - shown).append(" more rows</td></tr>");
        }
        return out.append("</tbody></table>").toString();
    }

    static String chartPng(Chart<?, ?> chart) {
        try {
            return Base64.getEncoder().encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the chart as PNG", e);
        }
    }

    static String chartSvg(Chart<?, ?> chart) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the chart as SVG", e);
        }
    }

    private static String chartText(Chart<?, ?> chart) {
        return chart.getClass().getSimpleName() + " \"" + chart.getTitle() + "\" (" + chart.getWidth() + "x"
                + chart.getHeight() + ", series " + chart.getSeriesMap().keySet() + ")";
    }
}
