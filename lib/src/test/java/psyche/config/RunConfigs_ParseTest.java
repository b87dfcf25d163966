package psyche.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How reading fails: line and column for malformed TOML, key paths for schema problems, a clear missing-file message. */
class RunConfigs_ParseTest {
    @Test void malformedTomlCarriesLineAndColumn() {
        String toml = TestToml.VALID.replace("min_clients = 1\n", "min_clients = [1,\n");
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfigs.parse(toml));
        assertEquals(OptionalInt.of(11), e.line());
        assertTrue(e.column().isPresent());
        assertTrue(e.getMessage().contains("malformed TOML at line 11"), e.getMessage());
        assertTrue(e.keyPath().isEmpty());
    }

    @Test void duplicateKeyIsASyntaxError() {
        String toml = TestToml.VALID.replace("epoch_time = 60\n", "epoch_time = 60\nepoch_time = 70\n");
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfigs.parse(toml));
        assertEquals(OptionalInt.of(8), e.line());
    }

    @Test void wrongTypeCarriesKeyPathAndExpectedType() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> RunConfigs.parse(TestToml.set("quantize_1bit", "\"yes\"")));
        assertEquals("model.LLM.optimizer.Distro.quantize_1bit", e.keyPath().orElseThrow());
        assertTrue(e.getMessage().contains("wrong type: expected boolean, found string"), e.getMessage());
        assertTrue(e.line().isEmpty());
    }

    @Test void missingKeyCarriesKeyPath() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> RunConfigs.parse(TestToml.VALID.replace("repo_id = \"owner/model\"\n", "")));
        assertEquals("model.LLM.checkpoint.Hub.repo_id", e.keyPath().orElseThrow());
    }

    @Test void missingTablesAreNamed() {
        LoadedConfig loaded = RunConfigs.loadString("[other]\nx = 1\n");
        assertEquals(java.util.List.of("other", "config", "model"),
                loaded.violations().stream().map(Violation::keyPath).toList());
        assertTrue(loaded.violations().get(0).rule().contains("unknown key `other`"));
    }

    @Test void enumTableWithTwoVariantsIsRejected() {
        String toml = TestToml.VALID.replace("[model.LLM.checkpoint.Hub]\nrepo_id = \"owner/model\"\n",
                "[model.LLM.checkpoint.Hub]\nrepo_id = \"a/b\"\n[model.LLM.checkpoint.P2P]\nrepo_id = \"a/b\"\n");
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfigs.parse(toml));
        assertEquals("model.LLM.checkpoint", e.keyPath().orElseThrow());
        assertTrue(e.getMessage().contains("exactly one key"), e.getMessage());
    }

    @Test void seededShuffleNeeds32Bytes() {
        String toml = TestToml.VALID.replace("shuffle = \"DontShuffle\"", "shuffle = { Seeded = [1, 2, 3] }");
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfigs.parse(toml));
        assertEquals("model.LLM.data_location.Http.shuffle.Seeded", e.keyPath().orElseThrow());
        String bytes = "1, ".repeat(31) + "256";
        ConfigException e2 = assertThrows(ConfigException.class,
                () -> RunConfigs.parse(TestToml.VALID.replace("shuffle = \"DontShuffle\"", "shuffle = { Seeded = [" + bytes + "] }")));
        assertEquals("model.LLM.data_location.Http.shuffle.Seeded[31]", e2.keyPath().orElseThrow());
    }

    @Test void missingFileSaysSo(@TempDir Path dir) {
        Path missing = dir.resolve("nope.toml");
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfigs.read(missing));
        assertTrue(e.getMessage().startsWith("config file not found: " + missing), e.getMessage());
        assertThrows(ConfigException.class, () -> RunConfigs.load(missing));
    }

    @Test void nonUtf8FileSaysSo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.toml");
        Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xfe, 'a'});
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfigs.read(bad));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
    }

    @Test void writeThenReadAFile(@TempDir Path dir) {
        RunConfig c = RunConfigs.parse(TestToml.VALID);
        Path file = dir.resolve("config.toml");
        RunConfigs.write(c, file);
        assertEquals(c, RunConfigs.read(file));
    }

    @Test void stateTomlNeedsRunIdAndKnownRunState() {
        String toml = "run_id = \"test\"\nrun_state = \"Waiting\"\n" + TestToml.VALID;
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfigs.parseState(toml));
        assertEquals("run_state", e.keyPath().orElseThrow());
        assertTrue(e.getMessage().contains("did you mean `WaitingForMembers`?") || e.getMessage().contains("unknown variant `Waiting`"),
                e.getMessage());
        CentralizedState s = RunConfigs.parseState("run_id = \"test\"\nrun_state = \"Paused\"\n[progress]\nstep = 5\n" + TestToml.VALID);
        assertEquals(psyche.coordinator.RunState.Paused, s.runState());
    }

    @Test void keyNamesSuggestCloseMatchesOnly() {
        assertEquals("warmup_time", KeyNames.closest("warmup_tiem", TomlConfigReader.CONFIG_KEYS).orElseThrow());
        assertEquals("max_seq_len", KeyNames.closest("max_sequence_len", TomlConfigReader.LLM_KEYS).orElseThrow());
        assertTrue(KeyNames.closest("banana", TomlConfigReader.CONFIG_KEYS).isEmpty());
        assertEquals(3, KeyNames.distance("kitten", "sitting"));
    }
}
