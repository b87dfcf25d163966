package psyche.kernel;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import psyche.Psyche;
import psyche.Run;
import psyche.config.Optimizer;
import psyche.history.HistoryRecorder;
import psyche.history.HistoryStore;
import psyche.monitor.Monitor;
import psyche.ops.CreateRun;
import psyche.coordinator.Pubkey;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every handle a user holds renders as HTML and text, with people's numbers and no object ids or Optional[...]. */
class PsycheRenderers_HandlesTest {
    private static final Renderer RENDERER = new Renderer();

    static {
        PsycheRenderers.registerAll(RENDERER);
    }

    private static String html(DisplayData d) { return (String) d.getData(MIMEType.TEXT_HTML); }

    private static String text(DisplayData d) { return (String) d.getData(MIMEType.TEXT_PLAIN); }

    private static void noRawObjects(String s) {
        assertFalse(s.contains("Optional["), s);
        assertFalse(s.contains("Optional.empty"), s);
        assertFalse(s.matches("(?s).*[A-Za-z]@[0-9a-f]{6,}.*"), s);
        assertFalse(s.matches("(?s).*\\d\\.\\d+E-?\\d.*"), s);
    }

    @Test
    void monitorOutcome_isOneLine() {
        DisplayData d = RENDERER.render(new Monitor.Outcome("interrupted", 3, null, List.of("boom")));
        assertEquals("watch ended: interrupted after 3 polls; 1 failed poll(s)", text(d));
        assertTrue(html(d).contains("watch ended: interrupted after 3 polls") && html(d).startsWith("<div"), html(d));
    }

    @Test
    void historyRecorder_saysWhatItRecords() throws Exception {
        try (HistoryStore store = HistoryStore.inMemory();
             HistoryRecorder recorder = HistoryRecorder.start(store, () -> { throw new IllegalStateException("rpc down"); }, Duration.ofSeconds(2))) {
            for (int i = 0; i < 100 && recorder.polls() == 0; i++) Thread.sleep(10);
            DisplayData d = RENDERER.render(recorder);
            assertTrue(text(d).startsWith("history recorder recording every 2 s: 1 polls, 0 with changes; last poll failed: rpc down"), text(d));
            assertTrue(html(d).contains("last poll failed: rpc down"), html(d));
        }
    }

    @Test
    void configParts_showValuesNotOptionals() {
        Optimizer distro = new Optimizer.Distro(Optional.of(1.0f), Optional.empty(), 0.999f, 64, 2, false);
        DisplayData d = RENDERER.render(distro);
        noRawObjects(text(d));
        noRawObjects(html(d));
        assertTrue(text(d).contains("clipGradNorm") && text(d).contains("none"), text(d));
        assertTrue(html(d).contains("<table"), html(d));
    }

    @Test
    void chart_textNamesTitleAndSeries() {
        XYChart chart = new XYChartBuilder().width(300).height(200).title("loss").build();
        chart.addSeries("mean", new double[]{1, 2}, new double[]{3, 4});
        DisplayData d = RENDERER.render(chart);
        assertEquals("chart \"loss\" (300×200, series: mean)", text(d));
        assertTrue(d.hasDataForType(MIMEType.IMAGE_PNG));
    }

    @Test
    void oneRowWideTable_isShownVertically_andNumbersByThePolicy() {
        Table wide = Table.create("run r",
                StringColumn.create("run_id", "r"), LongColumn.create("step", new long[]{12_000}), LongColumn.create("total_steps", new long[]{35_000_000}),
                DoubleColumn.create("lr", 0.0009000000000000001), DoubleColumn.create("loss", 6.68), IntColumn.create("clients", new int[]{3}),
                LongColumn.create("random_seed", new long[]{-1L}));
        DisplayData d = RENDERER.render(wide);
        String html = html(d);
        assertTrue(html.contains("shown as field / value"), html);
        assertEquals(7, html.split("<tr>").length - 2, html); // header row + one row per column
        assertTrue(html.contains("35,000,000") && html.contains("9.00e-04") && html.contains("6.6800")
                && html.contains("18446744073709551615"), html);
        String text = text(d);
        assertTrue(text.contains("total_steps") && text.contains("35,000,000") && text.lines().count() >= 7, text);
        noRawObjects(html);
        noRawObjects(text);
    }

    @Test
    void psycheAndRun_renderAsCardsWithTokenUnits(@TempDir Path dir) {
        try (Psyche local = Psyche.local(0, dir.resolve("ledger"), dir.resolve("wallet.json"))) {
            DisplayData p = RENDERER.render(local);
            assertTrue(text(p).startsWith("Psyche — local chain"), text(p));
            assertTrue(text(p).contains(local.wallet().pubkey().toBase58()) && text(p).contains("SOL"), text(p));
            Pubkey mint = local.createTestMint(6);
            local.mintTo(mint, local.wallet().pubkey(), 1_000_000_000L);
            Run run = local.authorize(Pubkey.SYSTEM).createRun(CreateRun.Params.of("render-run", "test").withCollateralMint(mint));
            run.setFutureRates(30, 0);
            run.topUp(150);
            DisplayData r = RENDERER.render(run);
            String t = text(r);
            assertTrue(t.startsWith("Run render-run"), t);
            assertTrue(t.contains("treasury: 150 tokens funded"), t);
            assertFalse(t.contains("150000000") || t.contains("150,000,000"), t);
            assertTrue(html(r).contains("Run render-run") && html(r).contains("150 tokens funded"), html(r));
            noRawObjects(t);
            assertTrue(text(RENDERER.render(local)).contains("render-run"), "the card lists the runs opened");
        }
    }
}
