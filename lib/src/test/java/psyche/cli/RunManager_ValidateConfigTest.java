package psyche.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run-manager validate-config} through {@link RunManager#execute}, with stdout and stderr captured. */
class RunManager_ValidateConfigTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private String stdout() { return out.toString(StandardCharsets.UTF_8); }

    private String stderr() { return err.toString(StandardCharsets.UTF_8); }

    private static Path sample(String name) {
        for (Path base : new Path[] {Path.of("notebooks/configs"), Path.of("../notebooks/configs")}) {
            if (Files.isRegularFile(base.resolve(name))) return base.resolve(name);
        }
        throw new IllegalStateException("sample config " + name + " not found");
    }

    @Test void tinyConfigIsValidWithOneWarningAndASummary() {
        int code = RunManager.execute("validate-config", "--config-path", sample("tiny.toml").toString());
        assertEquals(0, code, stdout() + stderr());
        String text = stdout();
        assertTrue(text.contains("tiny.toml: valid"), text);
        assertTrue(text.contains("WARNING model.LLM.data_location.Local"), text);
        assertTrue(text.contains("0 errors, 1 warning"), text);
        assertTrue(text.contains("about 4 rounds per epoch"), text);
        assertTrue(text.contains("steps: 200"), text);
        assertTrue(text.contains("DisTrO top-8 of 64x64 chunks"), text);
    }

    @Test void errorsExitWithOneAndListEveryProblem(@TempDir Path dir) throws Exception {
        String toml = Files.readString(sample("tiny.toml")).replace("warmup_time = 10", "warmup_time = 60")
                .replace("verification_percent = 0", "verification_percent = 5")
                .replace("compression_topk = 8", "compression_topk = 9000");
        Path file = dir.resolve("bad.toml");
        Files.writeString(file, toml);
        int code = RunManager.execute("validate-config", "--config-path", file.toString());
        assertEquals(1, code);
        String text = stdout();
        assertTrue(text.contains("INVALID"), text);
        assertTrue(text.contains("config rejected: warmup_time (60) must be < epoch_time (60)"), text);
        assertTrue(text.contains("verification_percent (5) must be 0"), text);
        assertTrue(text.contains("compression_topk (9000) exceeds compression_chunk² (4096)"), text);
        assertTrue(text.contains("3 errors, 1 warning"), text);
    }

    @Test void malformedTomlGivesLineAndColumn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.toml");
        Files.writeString(file, "[config]\nwarmup_time = 10\ncooldown_time = = 5\n");
        int code = RunManager.execute("validate-config", "--config-path", file.toString());
        assertEquals(1, code);
        assertTrue(stdout().contains("malformed TOML at line 3, column 17"), stdout());
    }

    @Test void missingFileSaysSoAndExitsWithTwo(@TempDir Path dir) {
        Path file = dir.resolve("absent.toml");
        int code = RunManager.execute("validate-config", "--config-path", file.toString());
        assertEquals(2, code);
        assertTrue(stderr().contains("config file not found: " + file), stderr());
    }

    @Test void jsonOutputCarriesViolationsAndSummary() throws Exception {
        // 9 > global_batch_size_end (8): the 9th join is MoreClientsThanBatches (8 of 8 may register)
        int code = RunManager.execute("validate-config", "--config-path", sample("tiny.toml").toString(), "--json",
                "--expected-clients", "9");
        assertEquals(1, code, stdout());
        JsonNode json = new ObjectMapper().readTree(stdout());
        assertEquals(false, json.get("valid").asBoolean());
        assertEquals(1, json.get("errors").asInt());
        assertEquals(1, json.get("warnings").asInt());
        assertEquals("config.global_batch_size_end", json.get("violations").get(0).get("key_path").asText());
        assertEquals("ERROR", json.get("violations").get(0).get("severity").asText());
        assertEquals(200, json.get("summary").get("total_steps").asInt());
        assertEquals(4, json.get("summary").get("rounds_per_epoch").asInt());
    }

    @Test void missingRequiredOptionIsAUsageError() {
        int code = RunManager.execute("validate-config");
        assertEquals(2, code);
        assertTrue(stderr().contains("--config-path"), stderr());
    }
}
