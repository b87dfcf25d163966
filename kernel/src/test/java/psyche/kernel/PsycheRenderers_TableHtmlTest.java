package psyche.kernel;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PsycheRenderers_TableHtmlTest {
    @Test
    void rowsAreBoundedAndTheRestCounted() {
        Table t = Table.create("n", IntColumn.indexColumn("i", 7, 0));
        String html = PsycheRenderers.tableHtml(t, 3);
        assertEquals(3 + 2, html.split("<tr>").length - 1); // header, 3 rows, elision
        assertTrue(html.contains("4 more rows"), html);
        assertTrue(html.contains("7 rows × 1 columns, first 3 shown"), html);
    }

    @Test
    void smallTable_showsEverythingAndNoElision() {
        Table t = Table.create("n", IntColumn.indexColumn("i", 2, 0));
        String html = PsycheRenderers.tableHtml(t, 20);
        assertFalse(html.contains("more rows"), html);
    }

    @Test
    void cellsAreEscaped() {
        Table t = Table.create("<t>", StringColumn.create("<c>", "<b>&"));
        String html = PsycheRenderers.tableHtml(t, 5);
        assertTrue(html.contains("&lt;b&gt;&amp;") && html.contains("&lt;c&gt;") && html.contains("&lt;t&gt;"), html);
    }
}
