package psyche.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.Psyche;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --rpc URL --run-id R}: clients join an existing run on a local chain (own ledger, free port). */
class TrainCommand_JoinRunTest {
    @TempDir Path dir;

    @Test void joinsAnExistingRunAndTrainsTheAskedSteps() {
        try (Psyche psyche = Psyche.local(0, dir.resolve("ledger"), dir.resolve("owner.json"))) {
            psyche.authorize(null);
            psyche.createRun("cli-join").updateConfig(Path.of("../notebooks/configs/tiny.toml")).resume();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream old = System.out;
            int code;
            try {
                System.setOut(new PrintStream(out, true));
                code = RunManager.execute("train", "--rpc", psyche.rpcUrl(), "--run-id", "cli-join", "--clients", "2",
                        "--steps", "2", "--device", "cpu", "--dataset", "../datasets/tiny/train.bin",
                        "--checkpoint-dir", dir.resolve("ckpt").toString(), "--time-limit", "120",
                        "--peers-dir", dir.resolve("peers").toString());
            } finally {
                System.setOut(old);
            }
            String text = out.toString();
            assertEquals(0, code, text);
            assertTrue(text.contains("joining run cli-join"), text);
            // serving and registering by default, so that other train processes of the run find this one
            assertTrue(text.contains("serving results at http://127.0.0.1:") && text.contains("(registered in "
                    + dir.resolve("peers").resolve("cli-join") + ")"), text);
            assertTrue(text.contains("step 1/200 loss ") && text.contains("step 2/200 loss "), text);
            // stopping after step 2's consensus is applied writes cli-join-step2
            assertTrue(text.contains("checkpoint " + dir.resolve("ckpt").resolve("cli-join-step2")), text);
        }
    }

    @Test void lrScaleScalesTheRunsScheduleForTheJoiningClients() {
        try (Psyche psyche = Psyche.local(0, dir.resolve("ledger"), dir.resolve("owner.json"))) {
            psyche.authorize(null);
            psyche.createRun("cli-half").updateConfig(Path.of("../notebooks/configs/tiny.toml")).resume();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream old = System.out;
            int code;
            try {
                System.setOut(new PrintStream(out, true));
                code = RunManager.execute("train", "--rpc", psyche.rpcUrl(), "--run-id", "cli-half", "--clients", "2",
                        "--steps", "1", "--device", "cpu", "--dataset", "../datasets/tiny/train.bin", "--lr-scale", "0.5",
                        "--checkpoint-dir", dir.resolve("ckpt").toString(), "--time-limit", "120", "--no-peer-discovery");
            } finally {
                System.setOut(old);
            }
            String text = out.toString();
            assertEquals(0, code, text);
            // tiny.toml: lr(1) = 1e-3 x 1/10 warmup = 1.00e-04; at half scale 5.00e-05
            assertTrue(text.contains("step 1/200 loss ") && text.contains(" lr 5.00e-05 "), text);
        }
    }
}
