package psyche.kernel;

import org.dflib.jjava.jupyter.kernel.BaseNotebookStatics;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import psyche.display.Display;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.lang.reflect.RecordComponent;

/**
 * What a notebook cell calls without qualification (static-imported at kernel start): {@code display},
 * {@code updateDisplay}, {@code render}, table helpers and renderer settings.
 */
public final class Notebook {
    private Notebook() {}

    /**
     * Shows {@code value} now (rendered like a cell result) and returns the display id for {@link #updateDisplay}.
     * Outside a kernel ({@code bin/psyche-shell}) it prints the text rendering instead.
     */
    public static String display(Object value) {
        BatchedOutput.flushAll(); // printed output comes before the display, as it was written
        return inKernel() ? BaseNotebookStatics.display(value) : Display.show(value);
    }

    /** Shows {@code value} rendered only as the given MIME types (e.g. {@code "image/svg+xml"}); text outside a kernel. */
    public static String display(Object value, String... mimeTypes) {
        BatchedOutput.flushAll();
        return inKernel() ? BaseNotebookStatics.display(value, mimeTypes) : Display.show(value);
    }

    /** Replaces the output shown under {@code displayId} (live charts, progress); prints the new text outside a kernel. */
    public static void updateDisplay(String displayId, Object value) {
        BatchedOutput.flushAll();
        if (inKernel()) BaseNotebookStatics.updateDisplay(displayId, value); else Display.update(displayId, value);
    }

    public static void updateDisplay(String displayId, Object value, String... mimeTypes) {
        if (inKernel()) BaseNotebookStatics.updateDisplay(displayId, value, mimeTypes); else Display.update(displayId, value);
    }

    /** True once the kernel installed its display sink (see {@link PsycheRenderers#install}). */
    private static boolean inKernel() {
        return !(Display.sink() instanceof Display.TextSink);
    }

    /** Renders without showing: the returned bundle can be the cell's value. */
    public static DisplayData render(Object value, String... mimeTypes) {
        return mimeTypes.length == 0 ? BaseNotebookStatics.render(value) : BaseNotebookStatics.render(value, mimeTypes);
    }

    /** Rows the table renderer shows before eliding; returns the previous limit. */
    public static int maxTableRows(int rows) {
        if (rows < 0) throw new IllegalArgumentException("maxTableRows must be >= 0, got " + rows);
        return PsycheRenderers.MAX_TABLE_ROWS.getAndSet(rows);
    }

    /** A two-column table (field, value) of a record's components: configs and states as tables. */
    public static Table tableOf(String name, Record record) {
        StringColumn field = StringColumn.create("field");
        StringColumn value = StringColumn.create("value");
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            field.append(c.getName());
            try {
                value.append(psyche.display.Values.describe(c.getAccessor().invoke(record), c.getName()));
            } catch (ReflectiveOperationException e) {
                value.append("<unreadable: " + e.getMessage() + ">");
            }
        }
        return Table.create(name, field, value);
    }
}
