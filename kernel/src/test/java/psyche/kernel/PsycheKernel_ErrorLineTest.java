package psyche.kernel;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A runtime exception names the cell line it happened on, for every statement shape. One kernel for all shapes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PsycheKernel_ErrorLineTest {
    private static final Duration T = Duration.ofSeconds(60);
    private KernelClient kernel;

    @BeforeAll
    void start() throws Exception {
        kernel = KernelClient.start(Path.of("target", "error-line-test"));
    }

    @AfterAll
    void stop() throws Exception {
        if (kernel != null) kernel.close();
    }

    /** The first traceback line naming the cell, e.g. "    at cell [3], line 4". */
    private String firstCellFrame(String code) {
        KernelClient.Execution e = kernel.execute(code, T);
        assertEquals("error", e.status(), () -> "expected a runtime error from:\n" + code);
        JsonObject content = e.error().content();
        assertEquals("EvalError", content.get("ename").getAsString(), content.toString());
        for (var line : content.getAsJsonArray("traceback")) {
            String s = line.getAsString();
            if (s.contains("cell [")) return s;
        }
        throw new AssertionError("no cell frame in " + content);
    }

    private void assertLine(int expected, String code) {
        String frame = firstCellFrame(code);
        assertTrue(frame.contains("line " + expected + ")") || frame.endsWith("line " + expected), frame + "\nfor:\n" + code);
    }

    @Test
    void plainStatement_afterOtherStatements() {
        assertLine(3, "int[] arr = new int[3];\nint x = 1;\narr[5] = 1;");
    }

    @Test
    void statementAfterBlankLinesAndComments() {
        assertLine(5, "int[] arr2 = new int[3];\n\n// a comment\n\narr2[5] = 1;");
    }

    @Test
    void insideAForLoop() {
        assertLine(3, "int[] a = new int[2];\nfor (int i = 0; i < 5; i++) {\n  a[i] = i;\n}");
    }

    @Test
    void insideAnIf() {
        assertLine(4, "int[] b = new int[1];\nif (b.length > 0) {\n  int y = 2;\n  b[y] = 1;\n}");
    }

    @Test
    void insideALambda() {
        assertLine(3, "Runnable r = () -> {\n  int[] c = new int[1];\n  c[3] = 0;\n};\nr.run();");
    }

    @Test
    void laterStatementOnAMultiStatementLine() {
        assertLine(2, "int unused = 0;\nint p = 1; int[] q = new int[1]; q[p] = 2;");
    }

    @Test
    void expressionOnTheLastLine() {
        assertLine(4, "int[] z = new int[1];\n\n\nz[2]");
    }

    @Test
    void insideAMethodDeclaredInTheCell() {
        assertLine(3, "int half(int n) {\n  int d = 0;\n  return n / d;\n}\nhalf(4);");
    }

    @Test
    void afterAMagicLine() {
        assertLine(3, "%time int t0 = 1;\nint[] m = new int[1];\nm[1] = 0;");
    }
}
