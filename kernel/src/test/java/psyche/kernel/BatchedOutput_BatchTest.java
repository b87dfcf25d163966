package psyche.kernel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cell's output is sent in batches (by size and time), complete, in order; what is dropped is counted. */
class BatchedOutput_BatchTest {
    /** Stands in for jjava's stream: every flush is one stream message. */
    static final class Messages extends OutputStream {
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        final List<String> sent = new ArrayList<>();

        @Override public synchronized void write(int b) { pending.write(b); }

        @Override public synchronized void write(byte[] b, int off, int len) { pending.write(b, off, len); }

        @Override public synchronized void flush() {
            if (pending.size() > 0) sent.add(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
        }

        synchronized String all() { return String.join("", sent); }
    }

    @Test
    void twentyThousandLinesArriveInOrderInFewMessages() {
        Messages messages = new Messages();
        BatchedOutput.CellStream out = BatchedOutput.over(new PrintStream(messages, true, StandardCharsets.UTF_8));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            out.println("line " + i);
            expected.append("line ").append(i).append('\n');
        }
        assertEquals(0, out.finish());
        out.close();
        assertEquals(expected.toString(), messages.all());
        assertTrue(messages.sent.size() <= expected.length() / BatchedOutput.MAX_BATCH_BYTES + 50,
                messages.sent.size() + " messages for " + expected.length() + " bytes");
    }

    @Test
    void pendingOutputIsSentAfterTheDelayWithoutAFlush() throws Exception {
        Messages messages = new Messages();
        BatchedOutput.CellStream out = BatchedOutput.over(new PrintStream(messages, true, StandardCharsets.UTF_8));
        out.print("started\n");
        for (int i = 0; i < 200 && messages.sent.isEmpty(); i++) Thread.sleep(10);
        assertEquals(List.of("started\n"), messages.sent, "a slow cell's output shows while it runs");
        out.close();
    }

    @Test
    void outputPastTheCapIsDroppedAndCounted() {
        Messages messages = new Messages();
        BatchedOutput.CellStream out = BatchedOutput.over(new PrintStream(messages, true, StandardCharsets.UTF_8), 100);
        out.print("x".repeat(1_000));
        assertEquals(900, out.finish());
        assertEquals("x".repeat(100), messages.all());
        out.print("y");
        assertEquals(0, out.finish(), "the budget is per cell");
        out.close();
        assertTrue(BatchedOutput.lostLine(900).startsWith(BatchedOutput.LOST_MARKER + " 900 bytes"), BatchedOutput.lostLine(900));
    }

    @Test
    void aBatchNeverEndsInsideAUtf8Character() {
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 61 E2 82 AC
        assertEquals(4, BatchedOutput.utf8Boundary(euro, 4));
        assertEquals(1, BatchedOutput.utf8Boundary(euro, 3));
        assertEquals(1, BatchedOutput.utf8Boundary(euro, 2));
        assertEquals(1, BatchedOutput.utf8Boundary(euro, 1));
        assertArrayEquals(new byte[]{0x61}, java.util.Arrays.copyOf(euro, BatchedOutput.utf8Boundary(euro, 2)));
    }
}
