package psyche.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Over the real protocol: heavy output arrives whole with its status messages; a Throwable-swallowing cell stops. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PsycheKernel_OutputAndInterruptTest {
    private static final Duration T = Duration.ofSeconds(60);
    private KernelClient kernel;

    @BeforeAll
    void start() throws Exception {
        // a small per-cell cap, so the lost-output report can be seen without writing 16 MiB
        kernel = KernelClient.start(Path.of("target", "output-test"), "-Dpsyche.kernel.maxCellOutputBytes=1000000");
        kernel.execute("1", T); // JShell is up: the interrupts below meet a running cell
    }

    @AfterAll
    void stop() throws Exception {
        if (kernel != null) kernel.close();
    }

    @Test
    void twentyThousandPrintlnLinesAllArriveAndTheKernelGoesIdle() {
        // execute() waits for the reply and the idle status: a lost status message fails it with a timeout
        KernelClient.Execution e = kernel.execute("for (int i = 0; i < 20000; i++) System.out.println(\"line \" + i);", T);
        assertEquals("ok", e.status());
        String[] lines = e.stdout().split("\n");
        assertEquals(20_000, lines.length);
        for (int i = 0; i < lines.length; i++) assertEquals("line " + i, lines[i]);
        int messages = e.ofType("stream").size();
        assertTrue(messages < 200, messages + " stream messages for 20,000 lines");
    }

    @Test
    void outputBeforeADisplayStaysBeforeIt() {
        KernelClient.Execution e = kernel.execute("System.out.println(\"before\");\ndisplay(\"shown\");\nSystem.out.println(\"after\");", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        java.util.List<String> order = e.iopub().stream().filter(m -> m.type().equals("stream") || m.type().equals("display_data"))
                .map(m -> m.type().equals("stream") ? m.content().get("text").getAsString().strip() : "[display]").toList();
        assertEquals(java.util.List.of("before", "[display]", "after"), order);
    }

    @Test
    void outputPastTheCellCapIsReportedAsLost() {
        KernelClient.Execution e = kernel.execute("String chunk = \"x\".repeat(999);\nfor (int i = 0; i < 1100; i++) System.out.println(chunk);", T);
        assertEquals("ok", e.status());
        assertEquals(1_000_000, e.stdout().length());
        assertTrue(e.stderr().startsWith(BatchedOutput.LOST_MARKER + " 100,000 bytes"), e.stderr());
    }

    @Test
    void interruptStopsACellThatSwallowsThrowableAndKeepsState() throws Exception {
        kernel.execute("int kept = 11;\nlong spins = 0;", T);
        String id = kernel.submit("while (true) {\n  try { spins++; Thread.sleep(1); } catch (Throwable t) { }\n}");
        Thread.sleep(500);
        kernel.interrupt();
        KernelClient.Execution e = kernel.collect(id, Duration.ofSeconds(20));
        assertEquals("error", e.status());
        assertEquals("CellInterrupted", e.error().content().get("ename").getAsString());
        assertEquals("11", kernel.execute("kept", T).result().get("text/plain").getAsString());
    }

    @Test
    void interruptStopsABusyLoopThatSwallowsThrowable() throws Exception {
        String id = kernel.submit("long n = 0;\nwhile (true) {\n  try { n++; } catch (Throwable t) { n--; }\n}");
        Thread.sleep(500);
        kernel.interrupt();
        KernelClient.Execution e = kernel.collect(id, Duration.ofSeconds(20));
        assertEquals("error", e.status());
        assertEquals("2", kernel.execute("1 + 1", T).result().get("text/plain").getAsString(), "the kernel goes on");
    }
}
