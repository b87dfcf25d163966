import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads one benchmark class twice in this JVM, from the "before" and the "after" class path (each its own class
 * loader), and alternates their measurement windows: same process, same heap, same minute, so the drift of a shared
 * 2-core machine falls on both sides alike. The class offers {@code static double measure(String figure, int count,
 * int threads)} (a rate; higher is better). Started by {@code bench/before-after}.
 *
 * <p>Arguments: CLASS BEFORE_CP AFTER_CP FIGURES(comma-separated) COUNT THREADS WARMUP_ROUNDS ROUNDS
 */
public final class Alternate {
    public static void main(String[] args) throws Exception {
        String className = args[0];
        List<String> figures = Arrays.asList(args[3].split(","));
        int count = Integer.parseInt(args[4]), threads = Integer.parseInt(args[5]);
        int warmUps = Integer.parseInt(args[6]), rounds = Integer.parseInt(args[7]);
        Side before = new Side("before", args[1], className), after = new Side("after", args[2], className);
        Side[] sides = {before, after};

        for (int w = 0; w < warmUps; w++) {
            for (Side side : sides) for (String f : figures) side.measure(f, Math.min(2_000, count), threads);
            System.out.printf("warm-up %d/%d done%n", w + 1, warmUps);
        }
        // figure -> per round [before rate, after rate, before CPU us per item, after CPU us per item]
        Map<String, List<double[]>> pairs = new LinkedHashMap<>();
        for (String f : figures) pairs.put(f, new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
            StringBuilder line = new StringBuilder(String.format("round %d:", r + 1));
            for (String f : figures) {
                // which side goes first alternates, so neither always follows the other's garbage
                Side first = r % 2 == 0 ? before : after, second = first == before ? after : before;
                double[] a = first.measure(f, count, threads), b = second.measure(f, count, threads);
                double[] pair = first == before ? new double[] {a[0], b[0], a[1], b[1]} : new double[] {b[0], a[0], b[1], a[1]};
                pairs.get(f).add(pair);
                line.append(String.format("  %s %,.0f / %,.0f (%.2fx; CPU/item %.2fx)", f, pair[0], pair[1], pair[1] / pair[0], pair[3] / pair[2]));
            }
            System.out.println(line);
        }
        System.out.printf("%nmedians over %d alternated rounds (after/before: median of the rounds' ratios)%n", rounds);
        for (var e : pairs.entrySet()) {
            double[] b = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] a = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            double[] ratio = e.getValue().stream().mapToDouble(p -> p[1] / p[0]).toArray();
            System.out.printf("  %-12s before %,10.0f /s   after %,10.0f /s   after/before %.2fx (rounds %.2f to %.2f)%n", e.getKey(),
                    median(b), median(a), median(ratio), Arrays.stream(ratio).min().orElse(0), Arrays.stream(ratio).max().orElse(0));
            double[] cpuB = e.getValue().stream().mapToDouble(p -> p[2]).toArray();
            double[] cpuA = e.getValue().stream().mapToDouble(p -> p[3]).toArray();
            double[] cpuRatio = e.getValue().stream().mapToDouble(p -> p[3] / p[2]).toArray();
            System.out.printf("  %-12s process CPU per item: before %,.1f us   after %,.1f us   after/before %.2fx (rounds %.2f to %.2f)%n", "",
                    median(cpuB), median(cpuA), median(cpuRatio), Arrays.stream(cpuRatio).min().orElse(0), Arrays.stream(cpuRatio).max().orElse(0));
        }
        System.exit(0); // servers' daemon threads aside, nothing else to wait for
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private static final class Side {
        final String name;
        final ClassLoader loader;
        final Method measure;

        Side(String name, String classPath, String className) throws Exception {
            this.name = name;
            List<URL> urls = new ArrayList<>();
            for (String entry : classPath.split(File.pathSeparator)) if (!entry.isEmpty()) urls.add(new File(entry).toURI().toURL());
            loader = new URLClassLoader(name, urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            measure = Class.forName(className, true, loader).getMethod("measure", String.class, int.class, int.class);
        }

        /** The window's rate, and the process's CPU time per item in it (us; all threads: server, client, JIT, GC). */
        double[] measure(String figure, int count, int threads) throws Exception {
            Thread current = Thread.currentThread();
            long cpu = OS.getProcessCpuTime();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(loader); // threads the bench starts inherit it
            try {
                double rate = (double) measure.invoke(null, figure, count, threads);
                return new double[] {rate, (OS.getProcessCpuTime() - cpu) / 1e3 / count};
            } catch (InvocationTargetException e) {
                throw new IllegalStateException(name + " " + figure + " failed", e.getCause());
            } finally {
                current.setContextClassLoader(previous);
            }
        }
    }
}
