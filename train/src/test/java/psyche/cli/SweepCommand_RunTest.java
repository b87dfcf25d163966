package psyche.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepCommand_RunTest {
    @Test
    void sweep_printsOneRowPerVariant() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, RunManager.execute("sweep", "--dataset", "../datasets/tiny/train.bin", "--held-out", "../datasets/tiny/valid.bin",
                    "--steps", "1", "--topk", "2,8", "--chunk", "16", "--batch", "2", "--seq-len", "16"));
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("DisTrO sweep"), out);
        assertTrue(out.contains("AdamW"), out);
        assertTrue(out.contains("DisTrO k2 c16 d0.999 1bit x2") && out.contains("DisTrO k8 c16 d0.999 1bit x2"), out);
        assertTrue(out.contains("(timing)"), out);
    }
}
