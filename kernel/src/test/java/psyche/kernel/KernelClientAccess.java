package psyche.kernel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Lets the benchmark (another package) drive {@link KernelClient}. */
public final class KernelClientAccess {
    private KernelClientAccess() {}

    /**
     * Starts a kernel and returns, in ms: [0] process start to the first execute_reply of {@code 1 + 1}, then
     * {@code cells} round trips of the same cell.
     */
    public static double[] coldStartAndRoundTrips(Path workDir, List<String> launch, int cells) throws Exception {
        double[] out = new double[cells + 1];
        long start = System.nanoTime();
        try (KernelClient kernel = KernelClient.start(workDir, launch)) {
            requireTwo(kernel.execute("1 + 1", Duration.ofSeconds(120)));
            out[0] = (System.nanoTime() - start) / 1e6;
            for (int i = 1; i <= cells; i++) {
                long t = System.nanoTime();
                requireTwo(kernel.execute("1 + 1", Duration.ofSeconds(60)));
                out[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        return out;
    }

    private static void requireTwo(KernelClient.Execution e) {
        if (!"2".equals(e.result().get("text/plain").getAsString())) throw new IllegalStateException("unexpected " + e.result());
    }
}
