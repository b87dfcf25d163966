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

    /**
     * The README's smallest run, {@code train --clients 2 --steps 10}: it used to reach NaN at step 10 (10 warmup steps
     * in a 10-step cosine schedule, lr(10) = 0/0). Finite at every step, a checkpoint, and a resume at half the LR.
     */
    @Test void readmeTenStepRunIsFiniteAndResumesWithLowerLr() {
        String text = run("train", "--dataset", "../datasets/tiny/train.bin", "--clients", "2", "--steps", "10",
                "--device", "cpu", "--checkpoint-dir", dir.toString());
        for (int s = 1; s <= 10; s++) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("step " + s + "/10 loss (\\S+) ").matcher(text);
            assertTrue(m.find(), text);
            assertTrue(Double.isFinite(Double.parseDouble(m.group(1))), "step " + s + ": " + text);
        }
        Path cp = dir.resolve("run-step10");
        assertTrue(Files.isRegularFile(cp.resolve("model.safetensors")), text);
        String resumed = run("train", "--dataset", "../datasets/tiny/train.bin", "--clients", "2", "--steps", "12",
                "--device", "cpu", "--checkpoint-dir", dir.toString(), "--resume", cp.toString(), "--lr-scale", "0.5");
        assertTrue(resumed.contains("step 11/12 loss ") && resumed.contains("step 12/12 loss ")
                && !resumed.contains("step 10/"), resumed);
        assertTrue(Files.isRegularFile(dir.resolve("run-step12").resolve("model.safetensors")), resumed);
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(out, true));
            code = RunManager.execute(args);
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code, out.toString());
        return out.toString();
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
