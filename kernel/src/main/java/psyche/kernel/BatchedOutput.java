package psyche.kernel;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cell's stdout or stderr, batched into Jupyter stream messages by size and time instead of one message per
 * {@code println}: 20,000 lines become a few dozen messages, so IOPub's high-water mark never drops output or the
 * status messages behind it. Output is sent when {@link #MAX_BATCH_BYTES} are pending, when the oldest pending byte
 * is {@link #MAX_DELAY_MILLIS} old, before any display message (ordering), and when the cell ends.
 *
 * <p>A cell that writes more than {@code psyche.kernel.maxCellOutputBytes} (default 16 MiB) has the rest dropped, and
 * the kernel says so in the cell's stderr with the marker {@link #LOST_MARKER}, which {@code psyche-notebook
 * --execute} turns into a failure: a report is never silently incomplete.
 */
final class BatchedOutput extends OutputStream {
    static final int MAX_BATCH_BYTES = 32 * 1024;
    static final long MAX_DELAY_MILLIS = 50;
    static final long MAX_CELL_BYTES = Long.getLong("psyche.kernel.maxCellOutputBytes", 16L << 20);
    /** Begins the line the kernel writes to a cell's stderr when output was dropped. */
    static final String LOST_MARKER = "psyche kernel: output lost:";

    private static final Set<BatchedOutput> OPEN = new CopyOnWriteArraySet<>();
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "psyche-output-batcher");
        t.setDaemon(true);
        return t;
    });

    static {
        TIMER.scheduleWithFixedDelay(() -> OPEN.forEach(BatchedOutput::flushIfStale), MAX_DELAY_MILLIS / 2,
                MAX_DELAY_MILLIS / 2, TimeUnit.MILLISECONDS);
    }

    private final PrintStream target;
    private byte[] buf = new byte[8192];
    private int count;
    private long firstPendingNanos;
    private long written;
    private long dropped;

    private final long maxCellBytes;

    private BatchedOutput(PrintStream target, long maxCellBytes) {
        this.target = target;
        this.maxCellBytes = maxCellBytes;
    }

    /** A cell's print stream over a batcher; {@link #finish} ends the cell, {@link #close} unregisters it. */
    static final class CellStream extends PrintStream {
        private final BatchedOutput batch;

        private CellStream(BatchedOutput batch) {
            super(batch, false, StandardCharsets.UTF_8);
            this.batch = batch;
        }

        /** Sends what is pending; returns the bytes dropped since the cell began. */
        long finish() {
            flush();
            return batch.finish();
        }

        @Override public void close() {
            flush();
            OPEN.remove(batch);
        }
    }

    /** A print stream for cells over {@code target} (jjava's stream, one message per flush), flushed by size and time. */
    static CellStream over(PrintStream target) {
        return over(target, MAX_CELL_BYTES);
    }

    /** {@link #over(PrintStream)} with a given per-cell cap. */
    static CellStream over(PrintStream target, long maxCellBytes) {
        BatchedOutput b = new BatchedOutput(target, maxCellBytes);
        OPEN.add(b);
        return new CellStream(b);
    }

    /** Sends everything pending on every open stream (before a display message, at the end of a cell). */
    static void flushAll() {
        OPEN.forEach(BatchedOutput::flush);
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (len <= 0) return;
        if (written + len > maxCellBytes) {
            int keep = (int) Math.max(0, maxCellBytes - written);
            dropped += len - keep;
            len = keep;
            if (len == 0) return;
        }
        if (count == 0) firstPendingNanos = System.nanoTime();
        if (count + len > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
        System.arraycopy(b, off, buf, count, len);
        count += len;
        written += len;
        if (count >= MAX_BATCH_BYTES) send(false);
    }

    @Override
    public synchronized void flush() {
        send(true);
    }

    private synchronized void flushIfStale() {
        if (count > 0 && System.nanoTime() - firstPendingNanos >= TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS)) send(false);
    }

    /** Ends the cell: sends what is pending, resets the cell's budget, returns the bytes dropped since the cell began. */
    synchronized long finish() {
        send(true);
        long lost = dropped;
        written = 0;
        dropped = 0;
        return lost;
    }

    /** The line a cell's stderr gets when {@code lost} bytes of its output were dropped. */
    static String lostLine(long lost) {
        return String.format(Locale.ROOT, "%s %,d bytes of this cell's output were dropped (a cell may write at most %,d "
                + "bytes to each of stdout and stderr): write large output to a file, or raise -Dpsyche.kernel.maxCellOutputBytes%n",
                LOST_MARKER, lost, MAX_CELL_BYTES);
    }

    /** Sends the pending bytes; unless {@code all}, a trailing incomplete UTF-8 character waits for its last bytes. */
    private void send(boolean all) {
        if (count == 0) return;
        int end = all ? count : utf8Boundary(buf, count);
        if (end == 0) return;
        target.write(buf, 0, end);
        target.flush();
        System.arraycopy(buf, end, buf, 0, count - end);
        count -= end;
        if (count > 0) firstPendingNanos = System.nanoTime();
    }

    /** The largest length ≤ {@code n} that ends on a UTF-8 character boundary (a split character would show as two). */
    static int utf8Boundary(byte[] b, int n) {
        int i = n;
        while (i > 0 && n - i < 3 && (b[i - 1] & 0xC0) == 0x80) i--; // continuation bytes
        if (i == 0) return n;
        int lead = b[i - 1] & 0xFF;
        if (lead < 0xC0) return n; // ASCII (or stray continuation bytes): nothing to wait for
        int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        return n - (i - 1) >= need ? n : i - 1;
    }

}
