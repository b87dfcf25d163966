package psyche.train.chain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.Psyche;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@code run-manager train --rpc} processes on one machine, one client each, join a run on a local chain in
 * this JVM and find each other's results servers through the peers directory alone (no --peer, no --serve-results).
 */
class ChainTraining_TwoProcessTest {
    @TempDir Path tmp;

    static Process trainer(String rpc, Path ckpt, Path peers, Path log) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", classpath, "psyche.cli.RunManager", "train", "--rpc", rpc,
                "--run-id", "two-proc", "--clients", "1", "--steps", "3", "--device", "cpu",
                "--dataset", "../datasets/tiny/train.bin", "--checkpoint-dir", ckpt.toString(), "--time-limit", "150",
                "--peers-dir", peers.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test void twoTrainProcessesFindEachOtherWithoutPeerFlagsAndApplyBothResults() throws Exception {
        String toml = Files.readString(Path.of("../notebooks/configs/tiny.toml"));
        for (String line : List.of("warmup_time = 3", "cooldown_time = 2", "max_round_train_time = 4",
                "round_witness_time = 1", "epoch_time = 600", "waiting_for_members_extra_time = 1", "witness_nodes = 0")) {
            String key = line.substring(0, line.indexOf('=')).trim();
            toml = toml.replaceFirst("(?m)^" + java.util.regex.Pattern.quote(key) + " = .*$", line);
        }
        Path cfg = tmp.resolve("two-proc.toml");
        Files.writeString(cfg, toml);
        Path peers = tmp.resolve("peers");
        try (Psyche psyche = Psyche.local(0, tmp.resolve("ledger"), tmp.resolve("owner.json"))) {
            psyche.authorize(null);
            psyche.createRun("two-proc").updateConfig(cfg).resume();
            List<Process> procs = new ArrayList<>();
            List<Path> logs = List.of(tmp.resolve("a.log"), tmp.resolve("b.log"));
            try {
                for (int i = 0; i < 2; i++) procs.add(trainer(psyche.rpcUrl(), tmp.resolve("ckpt-" + i), peers, logs.get(i)));
                for (Process p : procs) assertTrue(p.waitFor(200, TimeUnit.SECONDS), "a train process did not end");
            } finally {
                for (Process p : procs) if (p.isAlive()) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 2; i++) {
                String out = Files.readString(logs.get(i), StandardCharsets.UTF_8);
                System.out.println("process " + i + ":\n" + out);
                assertEquals(0, procs.get(i).exitValue(), out);
                assertTrue(out.contains("(registered in " + peers.resolve("two-proc") + ")"), out);
                // witness_nodes = 0, so a result needs both witnesses: 2 per step means each process heard the other
                assertTrue(out.contains("results applied per step {1=2, 2=2, 3=2}"), out);
            }
            try (var left = Files.list(peers.resolve("two-proc"))) {
                assertEquals(List.of(), left.toList(), "both entries removed on exit");
            }
        }
    }
}
