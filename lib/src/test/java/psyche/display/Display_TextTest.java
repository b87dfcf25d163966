package psyche.display;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outside a kernel, display() prints the text rendering: rich text, formatted tables, charts saved to a file. */
class Display_TextTest {
    @Test
    void theTextSinkPrintsTextRenderings() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Display.TextSink sink = new Display.TextSink(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String id = sink.display(new Html("<b>hi</b>", "hi"));
        sink.update(id, (Viewable) () -> new Html("<i>view</i>", "view text"));
        sink.display(Table.create("steps", DoubleColumn.create("lr", 0.0009000000000000001)));
        XYChart chart = new XYChartBuilder().width(200).height(100).title("Loss curve").build();
        chart.addSeries("mean", new double[]{1, 2}, new double[]{3, 4});
        sink.display(chart);
        String out = bytes.toString(StandardCharsets.UTF_8);
        String[] lines = out.split("\n");
        assertEquals("hi", lines[0]);
        assertEquals("view text", lines[1]);
        assertTrue(out.contains("9.00e-04"), out);
        String chartLine = lines[lines.length - 1];
        assertTrue(chartLine.startsWith("chart \"Loss curve\" (200×100, series: mean) saved to "), chartLine);
        Path png = Path.of(chartLine.substring(chartLine.indexOf(" saved to ") + " saved to ".length()));
        assertTrue(Files.size(png) > 0, png.toString());
        Files.delete(png);
    }
}
