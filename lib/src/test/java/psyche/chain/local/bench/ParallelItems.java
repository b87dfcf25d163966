package psyche.chain.local.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/** For the benchmark programs: items 0..count-1 shared out to {@code threads} threads, timed. */
public final class ParallelItems {
    private ParallelItems() {}

    /** One thread's work: take item numbers from {@code next} until it answers -1 (open per-thread resources around it). */
    public interface PerThread { void run(IntSupplier next) throws Exception; }

    /** Runs every item and returns the elapsed nanoseconds; the first failure of any thread is thrown. */
    public static long run(int count, int threads, PerThread work) throws Exception {
        return run(count, threads, work, () -> { });
    }

    /**
     * {@link #run(int, int, PerThread)}, calling {@code afterItems} once every item is done but before the threads end
     * (e.g. to read the threads' CPU time).
     */
    public static long run(int count, int threads, PerThread work, Runnable afterItems) throws Exception {
        AtomicInteger counter = new AtomicInteger();
        IntSupplier next = () -> {
            int i = counter.getAndIncrement();
            return i < count ? i : -1;
        };
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    work.run(next);
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
            long elapsed = System.nanoTime() - start;
            afterItems.run();
            return elapsed;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Items per second of {@link #run}. */
    public static double perSecond(int count, int threads, PerThread work) throws Exception {
        return count / (run(count, threads, work) / 1e9);
    }

    /** The JSON-RPC body that sends {@code tx} (base64, preflight on). */
    public static String sendTransactionBody(int id, byte[] tx) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"sendTransaction\",\"params\":[\""
                + java.util.Base64.getEncoder().encodeToString(tx) + "\",{\"encoding\":\"base64\"}]}";
    }
}
