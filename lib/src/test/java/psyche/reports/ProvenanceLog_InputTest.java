package psyche.reports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.config.RunConfigs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvenanceLog_InputTest {
    private static final Path TINY = Path.of("..", "notebooks", "configs", "tiny.toml").toAbsolutePath().normalize();

    /** The reference: coreutils' sha256sum, not our digest. */
    static String sha256sum(Path file) throws Exception {
        Process p = new ProcessBuilder("sha256sum", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return out.split("\\s+")[0];
    }

    @Test
    void readingAConfig_recordsItsSha256AsSha256sumPrintsIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log.jsonl");
        System.setProperty("psyche.provenance.log", log.toString());
        try {
            RunConfigs.read(TINY);
        } finally {
            System.clearProperty("psyche.provenance.log");
        }
        List<ProvenanceLog.Event> events = ProvenanceLog.read(log);
        ProvenanceLog.Event e = events.stream().filter(x -> x.value().equals(TINY.toString())).findFirst().orElseThrow();
        assertEquals("config", e.name());
        assertEquals(sha256sum(TINY), e.sha256());
        assertEquals(Files.size(TINY), e.bytes());
    }

    @Test
    void directory_recordsEveryFile_andAChangedFileGetsItsNewHash(@TempDir Path dir) throws Exception {
        Path a = Files.write(dir.resolve("a.bin"), new byte[] {1, 2, 3});
        Path b = Files.write(dir.resolve("b.bin"), new byte[1000]);
        Path log = dir.resolve("log.jsonl");
        System.setProperty("psyche.provenance.log", log.toString());
        try {
            ProvenanceLog.input("dataset", dir.resolve("."));
            Files.write(a, new byte[] {9, 9, 9, 9});
            ProvenanceLog.input("dataset", a);
        } finally {
            System.clearProperty("psyche.provenance.log");
        }
        List<ProvenanceLog.Event> events = ProvenanceLog.read(log);
        assertTrue(events.stream().anyMatch(e -> e.value().equals(b.toString())), events.toString());
        List<String> hashesOfA = events.stream().filter(e -> e.value().equals(a.toString())).map(ProvenanceLog.Event::sha256).toList();
        assertEquals(2, hashesOfA.size(), events.toString());
        assertEquals(sha256sum(a), hashesOfA.get(1));
    }

    @Test
    void provenance_collectsInputsSeedsParametersAndVersions(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log.jsonl");
        System.setProperty("psyche.provenance.log", log.toString());
        try {
            RunConfigs.read(TINY);
            ProvenanceLog.seed("simulation", 3);
            Reports.metric("final loss", 2.5);
            Reports.point("loss", 1, 3.0);
            Reports.point("loss", 2, 2.5);
        } finally {
            System.clearProperty("psyche.provenance.log");
        }
        Path root = Path.of("..").toAbsolutePath().normalize();
        Provenance p = Provenance.collect(root, "x.ipynb", "ok", java.util.Map.of("steps", 3), ProvenanceLog.read(log));
        assertEquals("notebooks/configs/tiny.toml", p.inputs().get(0).path());
        assertEquals(sha256sum(TINY), p.inputs().get(0).sha256());
        assertEquals("3", p.seeds().get("simulation"));
        assertEquals(2.5, p.metrics().get("final loss"));
        assertEquals(2, p.series().get("loss").size());
        assertTrue(p.gitCommit() != null && p.gitCommit().matches("[0-9a-f]{40}"), p.gitCommit());
        assertEquals("0.1.0-SNAPSHOT", p.projectVersion());
        assertEquals("0.44.4", p.versions().get("Tablesaw"));
        // the library does not carry the training stack (its own module): no DJL or PyTorch natives to report here;
        // psyche.train.Provenance_TrainingVersionsTest checks they are reported where the training module is present
        assertFalse(p.versions().containsKey("DJL"), p.versions().toString());
        assertFalse(p.versions().containsKey("PyTorch natives"), p.versions().toString());
        // JSON round trip
        Provenance back = Provenance.fromJson(p.toJson());
        assertEquals(p.inputs(), back.inputs());
        assertEquals(p.parameters(), back.parameters());
        assertTrue(p.toHtml().contains(sha256sum(TINY)));
    }
}
