package psyche.cli;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With the training module on the class path, run-manager's train and sweep are the real commands (ServiceLoader). */
class RunManager_TrainingCommandsTest {
    @Test void theModuleAddsTrainAndSweep() {
        CommandLine cli = RunManager.commandLine();
        assertTrue(cli.getSubcommands().get("train").getCommandSpec().userObject() instanceof TrainCommand);
        assertTrue(cli.getSubcommands().get("sweep").getCommandSpec().userObject() instanceof SweepCommand);
        assertTrue(cli.getSubcommands().containsKey("local-validator"), "the library's own commands stay");
    }

    @Test void everyCommandOptionAndPositionalHasADescription() {
        List<String> missing = new ArrayList<>();
        int[] seen = {0, 0};
        RunManager_HelpTest.walk(RunManager.commandLine(), missing, seen);
        assertTrue(missing.isEmpty(), missing.size() + " without a description:\n" + String.join("\n", missing));
    }

    @Test void trainHelpShowsItsOptions() {
        CliRun r = CliRun.of("train", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--clients") && r.out().contains("--rpc"), r.out());
    }
}
