package psyche.kernel.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Base64;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our jar in a stock jjava kernel ({@link StockJShellKernel}: jjava's BaseKernel and JShell, none of our kernel
 * classes): jjava's own startup loads our {@code Extension} from {@code META-INF/services}, and then a run on a local
 * chain, a Tablesaw table and an XChart chart render as our renderers render them, with our imports in effect.
 */
class StockKernel_PsycheExtensionTest {
    @TempDir Path dir;

    @Test void aStockKernelLoadingOurJarRendersARunATableAndAChartWithOurImports() {
        try (StockJShellKernel kernel = new StockJShellKernel()) {
            // before jjava loads extensions: no imports, and a table is only its toString
            assertThrows(IllegalStateException.class, () -> kernel.evalRaw("Psyche.class"), "no imports before the extension");
            DisplayData plainTable = kernel.cell("tech.tablesaw.api.Table.create(\"t\", tech.tablesaw.api.DoubleColumn.create(\"loss\", 1.0))");
            assertNotNull(plainTable.getData(MIMEType.TEXT_PLAIN), "the value came back and was rendered");
            assertFalse(plainTable.hasDataForType(MIMEType.TEXT_HTML), "jjava alone renders a table as text");

            kernel.onStartup(); // jjava: ServiceLoader over Extension, as for any jar on the kernel's class path

            // our imports: Psyche, Path and Table unqualified
            String ledger = dir.resolve("ledger").toString().replace("\\", "\\\\");
            String wallet = dir.resolve("w.json").toString().replace("\\", "\\\\");
            kernel.evalRaw("Psyche local = Psyche.local(0, Path.of(\"" + ledger + "\"), Path.of(\"" + wallet + "\"));");
            try {
                DisplayData run = kernel.cell("var run = local.authorize(null).createRun(\"stock-run\");\nrun");
                String runHtml = (String) run.getData(MIMEType.TEXT_HTML);
                assertNotNull(runHtml, "a run renders as HTML");
                assertTrue(runHtml.contains("stock-run"), runHtml);
                assertTrue(((String) run.getData(MIMEType.TEXT_PLAIN)).contains("stock-run"));

                DisplayData table = kernel.cell("Table.create(\"losses\", DoubleColumn.create(\"loss\", 6.91, 6.68), IntColumn.create(\"step\", 1, 2))");
                String tableHtml = (String) table.getData(MIMEType.TEXT_HTML);
                assertNotNull(tableHtml, "a table renders as HTML");
                assertTrue(tableHtml.contains("<table") && tableHtml.contains("loss") && tableHtml.contains("step"), tableHtml);
                assertTrue(tableHtml.contains("6.91") && tableHtml.contains("6.68"), tableHtml);

                DisplayData chart = kernel.cell("QuickChart.getChart(\"loss\", \"step\", \"loss\", \"loss\", new double[] {1, 2}, new double[] {6.91, 6.68})");
                Object png = chart.getData(MIMEType.IMAGE_PNG);
                assertNotNull(png, "a chart renders as PNG");
                byte[] bytes = Base64.getDecoder().decode(png.toString());
                assertEquals((byte) 0x89, bytes[0]);
                assertEquals("PNG", new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
                assertTrue(bytes.length > 1_000, "an image, not a placeholder: " + bytes.length + " bytes");
            } finally {
                kernel.evalRaw("local.close();");
            }
        }
    }
}
