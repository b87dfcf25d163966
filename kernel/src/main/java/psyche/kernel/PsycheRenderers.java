package psyche.kernel;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.dflib.jjava.jupyter.kernel.BaseNotebookStatics;
import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.display.Numbers;
import psyche.display.Values;
import psyche.display.Viewable;
import psyche.frames.Frames;
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
 * Our renderers and notebook imports, installed through jjava's extension point
 * ({@code META-INF/services/org.dflib.jjava.jupyter.Extension}) into our kernel or any other jjava kernel that loads our
 * jar (the stock Java kernel with it on its class path or added by {@code %jars}): Tablesaw tables as bounded HTML plus text, XChart charts as PNG (SVG on request), and status cards. Images
 * ({@code BufferedImage}) are rendered as PNG by jjava itself.
 */
public final class PsycheRenderers implements Extension {
    /** Rows shown by the table renderer; {@code -Dpsyche.kernel.table.maxRows} or {@link Notebook#maxTableRows(int)}. */
    static final AtomicInteger MAX_TABLE_ROWS = new AtomicInteger(Integer.getInteger("psyche.kernel.table.maxRows", 20));

    @Override
    public void install(BaseKernel kernel) {
        registerAll(kernel.getRenderer());
        // our kernel's JShell starts with these imports; any other jjava kernel (the stock Java kernel loading our
        // jar) gets them here, in its own evaluator
        if (!(kernel instanceof PsycheKernel)) {
            String imports = String.join("\n", StartupImports.available(classPathWithThisJar()));
            if (!imports.isEmpty()) kernel.evalRaw(imports);
        }
        // Library code (monitors, training sessions) shows and rewrites outputs through psyche.display.Display.
        Display.install(new DisplaySink() {
            @Override public String display(Object value) {
                BatchedOutput.flushAll(); // printed output comes before the display, as it was written
                return BaseNotebookStatics.display(value);
            }
            @Override public void update(String id, Object value) {
                BatchedOutput.flushAll();
                BaseNotebookStatics.updateDisplay(id, value);
            }
        });
    }

    /** The JVM's class path and the jar (or directory) this extension was loaded from, e.g. one added by {@code %jars}. */
    private static String classPathWithThisJar() {
        String cp = System.getProperty("java.class.path", "");
        try {
            java.security.CodeSource source = PsycheRenderers.class.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                cp = cp + java.io.File.pathSeparator + java.nio.file.Path.of(source.getLocation().toURI());
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // the class path alone
        }
        return cp;
    }

    public static void registerAll(Renderer renderer) {
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((table, ctx) -> {
                    int max = ctx.getParameterAsInt("maxRows", MAX_TABLE_ROWS.get());
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> tableHtml(table, max));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> Display.tableText(table, max));
                });
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Chart<?, ?>> chartType = (Class) Chart.class;
        renderer.createRegistration(chartType)
                .preferring(MIMEType.IMAGE_PNG)
                .supporting(MIMEType.IMAGE_SVG, MIMEType.TEXT_PLAIN)
                .register((chart, ctx) -> {
                    ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> chartPng(chart));
                    ctx.renderIfRequested(MIMEType.IMAGE_SVG, () -> chartSvg(chart));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> Display.chartText(chart, false));
                });
        renderer.createRegistration(Html.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((html, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, html::html);
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, html::text);
                });
        // every handle a user holds (Psyche, Run, training sessions, recorders, a watch's outcome) shows its own view
        renderer.createRegistration(Viewable.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((handle, ctx) -> {
                    Html view = handle.view();
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, view::html);
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, view::text);
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
        renderer.createRegistration(RunConfig.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((c, ctx) -> {
                    Card card = configCard(c);
                    String toml = RunConfigs.toToml(c);
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> card.toHtml()
                            + "<details style=\"font-size:12px;margin-top:4px\"><summary>config.toml</summary><pre>"
                            + Html.escape(toml) + "</pre></details>");
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> card.toText() + "\n\n" + toml.strip());
                });
        // the parts of a config: one row per field, Optionals unwrapped, numbers by the policy
        for (Class<?> part : List.of(CoordinatorConfig.class, LlmModel.class, Optimizer.class, LrSchedule.class,
                Checkpoint.class, DataLocation.class)) {
            registerRecordCard(renderer, part);
        }
        registerCard(renderer, CoordinatorState.class, s -> new Card("Run " + s.runId(), s.runState().display(), List.of())
                .with("epoch", Numbers.count(s.progress().epoch()))
                .with("step", Numbers.count(s.progress().step()) + " of " + Numbers.count(s.config().totalSteps()))
                .with("clients", Numbers.count(s.epochState().clients().size()) + " (min " + Numbers.count(s.config().minClients()) + ")")
                .with("exited clients", Numbers.count(s.epochState().exitedClients().size()))
                .with("pending pause", s.pendingPause() ? "yes" : "no")
                .with("state since", Instant.ofEpochSecond(s.runStateStartUnixTimestamp()).toString()));
    }

    /** The run config at a glance (the TOML follows it in the rendering). */
    static Card configCard(RunConfig c) {
        return new Card("Run config", c.model().architecture().toString(), List.of())
                .with("total steps", Numbers.count(c.config().totalSteps()))
                .with("clients (init / min)", Numbers.count(c.config().initMinClients()) + " / " + Numbers.count(c.config().minClients()))
                .with("witness nodes", Numbers.count(c.config().witnessNodes()))
                .with("global batch (start → end)", Numbers.count(c.config().globalBatchSizeStart()) + " → "
                        + Numbers.count(c.config().globalBatchSizeEnd()))
                .with("epoch / warmup / cooldown", Numbers.seconds(c.config().epochTime()) + " / "
                        + Numbers.seconds(c.config().warmupTime()) + " / " + Numbers.seconds(c.config().cooldownTime()))
                .with("max seq len", Numbers.count(c.model().maxSeqLen()))
                .with("lr schedule", Values.describe(c.model().lrSchedule()))
                .with("optimizer", Values.describe(c.model().optimizer()))
                .with("checkpoint", Values.describe(c.model().checkpoint()))
                .with("data", Values.describe(c.model().dataLocation()));
    }

    private static <T> void registerRecordCard(Renderer renderer, Class<T> type) {
        registerCard(renderer, type, v -> v instanceof Record r
                ? Card.ofRecord(type.getSimpleName().equals(r.getClass().getSimpleName()) ? type.getSimpleName()
                        : type.getSimpleName() + " " + r.getClass().getSimpleName(), null, r)
                : new Card(type.getSimpleName(), null, List.of(new Card.Row("value", Values.describe(v)))));
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
        if (rows == 1 && table.columnCount() > Display.VERTICAL_ABOVE_COLUMNS) {
            // one wide row (a run summary) reads top to bottom instead of running off the page
            Table v = Frames.vertical(table);
            return gridHtml(v, v.rowCount(), table.name(), "1 row × " + table.columnCount() + " columns, shown as field / value");
        }
        int shown = Math.min(rows, Math.max(0, maxRows));
        String caption = Numbers.count(rows) + (rows == 1 ? " row × " : " rows × ") + Numbers.count(table.columnCount())
                + " columns" + (shown < rows ? ", first " + Numbers.count(shown) + " shown" : "");
        String html = gridHtml(Frames.forDisplay(table, shown), shown, table.name(), caption);
        if (shown < rows) {
            html = html.replace("</tbody></table>", "<tr><td colspan=\"" + table.columnCount()
                    + "\" style=\"color:#57606a;padding:2px 8px\">… " + Numbers.count(rows - shown) + " more rows</td></tr></tbody></table>");
        }
        return html;
    }

    private static String gridHtml(Table table, int shown, String name, String caption) {
        StringBuilder out = new StringBuilder("<table style=\"border-collapse:collapse;font-size:13px\">")
                .append("<caption style=\"caption-side:top;text-align:left;font-weight:600;white-space:nowrap\">")
                .append(Html.escape(name == null ? "" : name))
                .append(" <span style=\"font-weight:400;color:#57606a;white-space:nowrap\">").append(Html.escape(caption))
                .append("</span></caption><thead><tr>");
        for (Column<?> c : table.columns()) {
            out.append("<th style=\"text-align:").append(align(c)).append(";border-bottom:1px solid #999;padding:2px 8px\">")
                    .append(Html.escape(c.name())).append("</th>");
        }
        out.append("</tr></thead><tbody>");
        for (int r = 0; r < shown; r++) {
            out.append("<tr>");
            for (Column<?> c : table.columns()) {
                out.append("<td style=\"text-align:").append(align(c)).append(";padding:2px 8px;font-family:monospace\">")
                        .append(Html.escape(c.getString(r))).append("</td>");
            }
            out.append("</tr>");
        }
        return out.append("</tbody></table>").toString();
    }

    /** Numbers right-aligned so digits line up; text left. */
    private static String align(Column<?> c) {
        return c instanceof tech.tablesaw.api.NumericColumn<?> ? "right" : "left";
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

}
