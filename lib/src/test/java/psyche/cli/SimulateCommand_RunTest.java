package psyche.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SimulateCommand_RunTest {
    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, RunManager.execute(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test void summaryAndJson() throws Exception {
        Path f = Files.createTempFile("cfg", ".toml");
        try (InputStream in = getClass().getResourceAsStream("/psyche/sim/solana-test-config.toml")) {
            Files.write(f, in.readAllBytes());
            String text = run("simulate", "--config-path", f.toString(), "--clients", "3", "--epochs", "1");
            assertTrue(text.contains("simulated 3 clients"), text);
            assertTrue(text.contains("treasury"), text);
            String json = run("simulate", "--config-path", f.toString(), "--clients", "3", "--duration", "40", "--json",
                    "--seed", "5", "--drop-rate", "0.2", "--earning-rate", "10", "--treasury", "100");
            assertTrue(json.startsWith("{\n  \"summary\""), json);
            assertTrue(json.contains("\"simulatedSeconds\" : 40"), json);
            assertEquals(json, run("simulate", "--config-path", f.toString(), "--clients", "3", "--duration", "40", "--json",
                    "--seed", "5", "--drop-rate", "0.2", "--earning-rate", "10", "--treasury", "100"));
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
