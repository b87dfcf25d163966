package psyche.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;
import psyche.coordinator.BatchId;
import psyche.train.data.HfTokenizer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints with Hugging Face names, reload, resume, sampling, stop, and the bad inputs a user meets. */
class Training_CheckpointTest {
    static final Path TINY = Path.of("../datasets/tiny");
    static final Path TRAIN = TINY.resolve("train.bin");
    static final LlamaConfig SMALL = new LlamaConfig(32, 1, 4, 2, 64, 1024, 64, 10000.0, 1e-5, true);
    @TempDir Path dir;

    RunConfig config(long steps) {
        return TinyRun.config(TRAIN, steps, new Optimizer.Distro(Optional.of(1.0f), Optional.of(0.01f), 0.999f, 8, 64, true),
                new LrSchedule.Constant(4e-3, 0.0, 2), 4, 32);
    }

    @Test void checkpointReloadsToTheSameEvaluationLossAndResumes() throws Exception {
        Path cp;
        float sessionLoss;
        BatchId probe = new BatchId(100, 107);
        try (Training t = Training.builder().setConfig(config(3)).optClients(2).optModel(SMALL).optDevice("cpu")
                .optRunId("tiny").optCheckpointDir(dir).build()) {
            t.run();
            cp = t.lastCheckpoint().orElseThrow();
            assertEquals(dir.resolve("tiny-step3"), cp);
            sessionLoss = t.evalLoss(probe);
            int[][] samples = t.data().samples(probe);
            // checkpoints are bf16 like Psyche's: the reload is exactly the session's weights rounded to bf16
            Map<String, Safetensors.Tensor> rounded = new LinkedHashMap<>();
            t.weights().forEach((name, w) -> {
                float[] r = w.data().clone();
                for (int i = 0; i < r.length; i++) r[i] = Safetensors.fromBf16(Safetensors.toBf16(r[i]));
                rounded.put(name, new Safetensors.Tensor(w.shape(), r));
            });
            try (LlamaModel back = LlamaModel.load(cp, ai.djl.Device.cpu());
                 LlamaModel bf16 = LlamaModel.fromTensors(SMALL, rounded, ai.djl.Device.cpu())) {
                assertEquals(SMALL, back.config());
                back.stateDict().forEach((name, w) -> assertArrayEquals(rounded.get(name).data(), w.data(), name));
                assertEquals(bf16.evalLoss(samples), back.evalLoss(samples), 1e-6,
                        "reloaded checkpoint evaluates the same as the session's weights in bf16");
                // bf16 keeps 8 significant bits: the loss moves by far less than one training step moves it
                assertEquals(sessionLoss, back.evalLoss(samples), 1e-3, "bf16 checkpoint evaluates close to the session");
            }
        }
        assertTrue(Files.isRegularFile(cp.resolve("config.json")));
        assertTrue(Files.isRegularFile(cp.resolve("tokenizer.json")), "tokenizer travels with the checkpoint");
        byte[] file = Files.readAllBytes(cp.resolve("model.safetensors"));
        long headerLen = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, (int) headerLen, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"dtype\":\"BF16\"") && !header.contains("F32"), "bf16 checkpoint: " + header);
        var names = Safetensors.read(cp.resolve("model.safetensors")).keySet();
        assertTrue(names.contains("model.layers.0.self_attn.q_proj.weight") && names.contains("model.embed_tokens.weight")
                && names.contains("model.norm.weight") && !names.contains("lm_head.weight"), names.toString());

        List<Long> steps = new ArrayList<>();
        try (Training t = Training.resumeFrom(cp).setConfig(config(5)).optClients(2).optDevice("cpu").optRunId("tiny")
                .optCheckpointDir(dir).optListener(r -> steps.add(r.step())).build()) {
            t.run();
            assertEquals(List.of(4L, 5L), steps, "resume continues after the checkpoint's step");
            assertEquals(dir.resolve("tiny-step5"), t.lastCheckpoint().orElseThrow());
        }

        try (HfTokenizer tok = HfTokenizer.load(cp)) {
        int[] prompt = tok.encode("The hacker");
        int[] greedy = Training.sample(cp, prompt, 5, 0, 1);
        assertEquals(prompt.length + 5, greedy.length);
        assertArrayEquals(greedy, Training.sample(cp, prompt, 5, 0, 2), "greedy ignores the seed");
        int[] sampled = Training.sample(cp, prompt, 5, 1.0, 7);
        for (int id : sampled) assertTrue(id >= 0 && id < 1024);
        assertFalse(tok.decode(sampled).isEmpty());
        }
    }

    @Test void stopEndsCleanlyAndKeepsACheckpoint() throws Exception {
        CountDownLatch twoSteps = new CountDownLatch(2);
        Training t = Training.builder().setConfig(config(10_000)).optModel(SMALL).optDevice("cpu").optRunId("stop")
                .optCheckpointDir(dir).optListener(r -> twoSteps.countDown()).build();
        try (t) {
            t.start();
            assertTrue(twoSteps.await(120, TimeUnit.SECONDS), "two steps within two minutes");
            t.stop();
            assertFalse(t.isRunning());
            long step = t.step();
            assertTrue(step >= 2 && step < 10_000);
            assertEquals(dir.resolve("stop-step" + step), t.lastCheckpoint().orElseThrow());
            assertTrue(t.failure().isEmpty());
        }
    }

    @Test void interruptingTheTrainingThreadEndsCleanlyWithACheckpoint() throws Exception {
        CountDownLatch oneStep = new CountDownLatch(1);
        try (Training t = Training.builder().setConfig(config(10_000)).optModel(SMALL).optDevice("cpu").optRunId("intr")
                .optCheckpointDir(dir).optListener(r -> oneStep.countDown()).build()) {
            t.start();
            assertTrue(oneStep.await(120, TimeUnit.SECONDS), "one step within two minutes");
            Thread worker = Thread.getAllStackTraces().keySet().stream()
                    .filter(th -> th.getName().equals("psyche-training-intr")).findFirst().orElseThrow();
            worker.interrupt();
            worker.join(120_000);
            assertFalse(t.isRunning());
            assertTrue(t.failure().isEmpty(), () -> "clean end, not " + t.failure());
            assertEquals(dir.resolve("intr-step" + t.step()), t.lastCheckpoint().orElseThrow());
        }
    }

    @Test void vocabMismatchIsExplained() {
        LlamaConfig tooSmall = new LlamaConfig(32, 1, 4, 2, 64, 512, 64, 10000.0, 1e-5, true);
        TrainingException e = assertThrows(TrainingException.class,
                () -> Training.builder().setConfig(config(2)).optModel(tooSmall).optDevice("cpu").build());
        assertTrue(e.getMessage().contains("vocab mismatch") && e.getMessage().contains("1024")
                && e.getMessage().contains("512"), e.getMessage());
    }

    @Test void datasetShorterThanOneSequenceIsExplained() throws Exception {
        Path shortFile = dir.resolve("short.bin");
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 20; i++) b.putShort((short) i);
        Files.write(shortFile, b.array());
        TrainingException e = assertThrows(TrainingException.class,
                () -> Training.builder().setConfig(config(2)).optDataset(shortFile).optModel(SMALL).optDevice("cpu").build());
        assertTrue(e.getMessage().contains("shorter than one sequence") && e.getMessage().contains("20 tokens"), e.getMessage());
    }

    @Test void adamWWithSeveralClientsIsRefused() {
        RunConfig adam = TinyRun.config(TRAIN, 2, new Optimizer.AdamW(0.9f, 0.95f, 0f, 1e-8f, Optional.empty()),
                new LrSchedule.Constant(1e-3, 0, 0), 4, 32);
        TrainingException e = assertThrows(TrainingException.class,
                () -> Training.builder().setConfig(adam).optClients(2).optModel(SMALL).build());
        assertTrue(e.getMessage().contains("AdamW") && e.getMessage().contains("Distro"), e.getMessage());
    }
}
