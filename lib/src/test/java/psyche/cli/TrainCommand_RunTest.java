package psyche.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommand_RunTest {
    @TempDir Path dir;

    @Test void trainsHeadlessPrintingLossPerStepAndCheckpoints() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(out, true));
            code = RunManager.execute("train", "--dataset", "../datasets/tiny/train.bin", "--clients", "2", "--steps", "2",
                    "--device", "cpu", "--checkpoint-dir", dir.toString(), "--run-id", "cli");
        } finally {
            System.setOut(old);
        }
        String text = out.toString();
        assertEquals(0, code, text);
        assertTrue(text.contains("step 1/2 loss ") && text.contains("step 2/2 loss "), text);
        assertTrue(Files.isRegularFile(dir.resolve("cli-step2").resolve("model.safetensors")), text);
    }

    @Test void badInputExitsNonZeroWithTheReason() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true));
            code = RunManager.execute("train", "--dataset", dir.resolve("missing").toString(), "--steps", "1", "--device", "cpu");
        } finally {
            System.setErr(old);
        }
        assertEquals(1, code);
        assertTrue(err.toString().contains("does not exist"), err.toString());
    }
}
