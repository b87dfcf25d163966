package psyche.kernel;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1,000 small cells (re-run declarations, expressions, output: a notebook run over and over) must not grow the kernel beyond a stated bound: heap in use
 * after a full GC by less than {@link #HEAP_BOUND_MIB} MiB and resident memory by less than {@link #RSS_BOUND_MIB}
 * MiB. JShell keeps every snippet (source, class, value) for the session, so some growth is inherent.
 */
class PsycheKernel_MemoryTest {
    static final long HEAP_BOUND_MIB = 64;
    static final long RSS_BOUND_MIB = 256;
    private static final Duration T = Duration.ofSeconds(60);
    private static final String HEAP = "System.gc(); Runtime r = Runtime.getRuntime(); (r.totalMemory() - r.freeMemory()) / 1024";

    @Test
    void thousandSmallCells_stayWithinTheBound() throws Exception {
        try (KernelClient kernel = KernelClient.start(Path.of("target", "memory-test"), "-Xmx512m")) {
            for (int i = 0; i < 50; i++) kernel.execute("int w" + i + " = " + i + ";\nw" + i + " * 2", T); // warm-up
            long heapBefore = heapKiB(kernel);
            long rssBefore = rssKiB(kernel.pid());
            double firstMillis = 0;
            double lastMillis = 0;
            for (int i = 0; i < 1000; i++) {
                String cell = switch (i % 4) {
                    case 0 -> "int counter = " + i + ";";
                    case 1 -> "counter + 1";
                    case 2 -> "System.out.println(\"cell \" + counter);";
                    default -> "String label = \"x\".repeat(" + (i % 10) + ");\nlabel.length()";
                };
                long start = System.nanoTime();
                assertEquals("ok", kernel.execute(cell, T).status(), cell);
                if (i < 100) firstMillis += (System.nanoTime() - start) / 1e6;
                if (i >= 900) lastMillis += (System.nanoTime() - start) / 1e6;
            }
            System.out.printf("mean round trip: first 100 cells %.1f ms, last 100 cells %.1f ms%n", firstMillis / 100, lastMillis / 100);
            long heapAfter = heapKiB(kernel);
            long rssAfter = rssKiB(kernel.pid());
            long heapGrowth = (heapAfter - heapBefore) / 1024;
            long rssGrowth = (rssAfter - rssBefore) / 1024;
            System.out.printf("1000 cells: heap after GC %d -> %d KiB (+%d MiB), RSS %d -> %d KiB (+%d MiB)%n",
                    heapBefore, heapAfter, heapGrowth, rssBefore, rssAfter, rssGrowth);
            assertTrue(heapGrowth < HEAP_BOUND_MIB, "heap grew by " + heapGrowth + " MiB");
            assertTrue(rssGrowth < RSS_BOUND_MIB, "RSS grew by " + rssGrowth + " MiB");
        }
    }

    private static long heapKiB(KernelClient kernel) {
        KernelClient.Execution e = kernel.execute(HEAP, T);
        return Long.parseLong(e.result().get("text/plain").getAsString());
    }

    private static long rssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }
}
