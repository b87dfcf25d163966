package psyche.train.distro;

import ai.djl.pytorch.jni.JniUtils;

import java.util.stream.IntStream;

/**
 * Splits DisTrO's Java loops over index ranges across as many threads as PyTorch's intra-op pool has (the thread
 * count the user gave the training), on the common fork-join pool plus the calling thread. Each index is computed
 * exactly as in one loop, so results are bit-identical whatever the split; small loops stay on the calling thread.
 */
final class Parallel {
    private Parallel() {}

    /** Below this many elements (or tiles times their size) a loop runs on the calling thread. */
    static final int MIN_WORK = 1 << 16;

    /** Tests: when positive, every loop of at least {@link #MIN_WORK} is cut into exactly this many ranges. */
    static volatile int forcedParts;

    interface Range {
        void run(int from, int to);
    }

    /** Threads to use: PyTorch's intra-op thread count, at most the processors and the common pool's workers + 1. */
    static int threads() {
        int torch;
        try {
            torch = JniUtils.getNumThreads();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            torch = 1;
        }
        int pool = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1;
        return Math.max(1, Math.min(torch, Math.min(pool, Runtime.getRuntime().availableProcessors())));
    }

    /** {@code body} over {@code [0, n)} in contiguous ranges; {@code work} is the cost in elements, for the cut-off. */
    static void forRange(int n, long work, Range body) {
        int parts = work < MIN_WORK ? 1 : Math.min(n, forcedParts > 0 ? forcedParts : threads());
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(p -> body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }
}
