package psyche.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without the training module on the class path, run-manager still lists train and sweep and says what to install. */
class RunManager_ModuleCommandsTest {
    @Test void trainWithoutTheTrainingModuleNamesWhatToInstall() {
        assertFalse(onClassPath("psyche.train.Training"), "this module's tests must run without psyche-train");
        CliRun r = CliRun.of("train", "--clients", "2", "--steps", "2");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("error: run-manager train needs the training module psyche-train"), r.err());
        assertTrue(r.err().contains("bin/run-manager train"), r.err());
        assertFalse(r.err().contains("Unknown option"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test void sweepToo() {
        CliRun r = CliRun.of("sweep");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("run-manager sweep needs the training module psyche-train"), r.err());
    }

    @Test void helpListsTheTrainingCommandsAndTheirModule() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith("train ")), r.out());
        assertTrue(r.out().replaceAll("\\s+", " ").contains("Needs the training module (psyche-train)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith("sweep ")), r.out());
        CliRun help = CliRun.of("train", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().replaceAll("\\s+", " ").contains("Needs the training module (psyche-train)"), help.out());
    }

    private static boolean onClassPath(String name) {
        try {
            Class.forName(name, false, RunManager.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
