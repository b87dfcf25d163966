package psyche.kernel.bench;

import psyche.kernel.KernelClientAccess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Kernel start-up and round-trip cost against bare {@code jshell}, measured in the same run on the same machine.
 * <ul>
 *   <li>cold start: process start to the first execute_reply of {@code 1 + 1} (kernel) vs. {@code jshell} started,
 *       evaluating {@code 1 + 1} and exiting;</li>
 *   <li>trivial cell: median execute_request round trip of {@code 1 + 1} vs. jshell's per-snippet cost
 *       ((time for 1 + N snippets - time for 1) / N).</li>
 * </ul>
 * Target: kernel cold start at most 1.5x jshell's. Usage (from the repository root):
 * <pre>
 * mvn -o -q -pl kernel -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp kernel/target/test-classes:kernel/target/classes:$(cat kernel/target/cp.txt) psyche.kernel.bench.KernelStartBench [KERNEL_JAR]
 * </pre>
 * With {@code KERNEL_JAR} (e.g. kernel/target/psyche-kernel-all.jar) the kernel runs as installed by
 * bin/psyche-notebook; without, from this class path.
 */
public final class KernelStartBench {
    private static final int RUNS = 3;
    private static final int CELLS = 30;

    public static void main(String[] args) throws Exception {
        List<String> launch = args.length > 0
                ? List.of("-jar", args[0])
                : List.of("-cp", System.getProperty("java.class.path"), "psyche.kernel.PsycheKernel");
        List<Double> jshellStarts = new ArrayList<>();
        List<Double> kernelStarts = new ArrayList<>();
        List<Double> roundTrips = new ArrayList<>();
        List<Double> jshellPerSnippet = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            double one = jshell(1);
            jshellStarts.add(one);
            jshellPerSnippet.add((jshell(1 + CELLS) - one) / CELLS);
            double[] kernel = KernelClientAccess.coldStartAndRoundTrips(Path.of("target", "bench", "run" + run), launch, CELLS);
            kernelStarts.add(kernel[0]);
            for (int i = 1; i < kernel.length; i++) roundTrips.add(kernel[i]);
        }
        double js = median(jshellStarts);
        double ks = median(kernelStarts);
        double rt = median(roundTrips);
        double jsSnippet = median(jshellPerSnippet);
        System.out.printf(Locale.ROOT, "machine: %d cores, load average %.1f%n", Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "cold start to first result: kernel %.0f ms, bare jshell %.0f ms -> ratio %.2f (target <= 1.50)%n",
                ks, js, ks / js);
        System.out.printf(Locale.ROOT, "trivial cell round trip: kernel %.1f ms (median of %d), jshell per snippet %.1f ms -> ratio %.2f%n",
                rt, roundTrips.size(), jsSnippet, rt / jsSnippet);
        System.out.printf(Locale.ROOT, "raw: kernel starts %s, jshell starts %s%n", kernelStarts, jshellStarts);
    }

    /** Wall time of {@code jshell -q} evaluating {@code snippets} trivial snippets then exiting, in ms. */
    private static double jshell(int snippets) throws IOException, InterruptedException {
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < snippets; i++) input.append("1 + 1\n");
        input.append("/exit\n");
        long start = System.nanoTime();
        Process p = new ProcessBuilder("jshell", "-q").redirectErrorStream(true).start();
        p.getOutputStream().write(input.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) throw new IllegalStateException("jshell did not exit");
        double ms = (System.nanoTime() - start) / 1e6;
        String text = new String(out, StandardCharsets.UTF_8);
        if (!text.contains("==> 2")) throw new IllegalStateException("jshell did not evaluate: " + text);
        return ms;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
