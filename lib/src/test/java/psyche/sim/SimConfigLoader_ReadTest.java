package psyche.sim;

import org.junit.jupiter.api.Test;
import psyche.config.Checkpoint;
import psyche.config.DataLocation;
import psyche.config.HttpLocation;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SimConfigLoader_ReadTest {
    @Test void readsTheSolanaTestConfig() throws Exception {
        Path f = Files.createTempFile("cfg", ".toml");
        try {
            Files.writeString(f, ReplayScenario.resource("/psyche/sim/solana-test-config.toml"));
            RunConfig c = SimConfigLoader.read(f);
            assertEquals(15, c.config().warmupTime());
            assertEquals(25000, c.config().totalSteps());
            assertEquals(3, c.config().waitingForMembersExtraTime());
            assertEquals(2048, c.model().maxSeqLen());
            assertEquals("emozilla/llama2-1.1b-gqa-init", ((Checkpoint.Hub) c.model().checkpoint()).repo().repoId());
            DataLocation.Http http = (DataLocation.Http) c.model().dataLocation();
            assertEquals("fineweb-edu-tokenized-llama2", ((HttpLocation.Gcp) http.location()).filterDirectory());
            assertEquals(4.0e-5, ((LrSchedule.Cosine) c.model().lrSchedule()).finalLr());
            assertEquals(2, ((Optimizer.Distro) c.model().optimizer()).compressionTopk());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test void missingTablesAndKeysAreNamed() {
        var e = assertThrows(SimConfigLoader.ConfigReadException.class, () -> SimConfigLoader.parse("[config]\nwarmup_time = 1\n", "x.toml"));
        assertTrue(e.getMessage().contains("model.LLM"), e.getMessage());
        String noWarmup = ReplayScenario.resource("/psyche/sim/solana-test-config.toml").replace("warmup_time = 15\n", "");
        var e2 = assertThrows(SimConfigLoader.ConfigReadException.class, () -> SimConfigLoader.parse(noWarmup, "y.toml"));
        assertTrue(e2.getMessage().contains("warmup_time"), e2.getMessage());
        assertThrows(SimConfigLoader.ConfigReadException.class, () -> SimConfigLoader.parse("= broken", "z.toml"));
    }
}
