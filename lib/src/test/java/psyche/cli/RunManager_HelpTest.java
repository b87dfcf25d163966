package psyche.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --help} of every run-manager command and subcommand describes the command and each of its options and parameters. */
class RunManager_HelpTest {
    @Test
    void everyCommandOptionAndPositionalHasADescription() {
        List<String> missing = new ArrayList<>();
        int[] seen = {0, 0};
        walk(RunManager.commandLine(), missing, seen);
        assertTrue(seen[0] > 20 && seen[1] > 60, "walked " + seen[0] + " commands, " + seen[1] + " options/parameters");
        assertTrue(missing.isEmpty(), missing.size() + " without a description:\n" + String.join("\n", missing));
    }

    static void walk(CommandLine cmd, List<String> missing, int[] seen) {
        CommandSpec spec = cmd.getCommandSpec();
        seen[0]++;
        String path = spec.qualifiedName(" ");
        if (spec.usageMessage().description().length == 0 || blank(spec.usageMessage().description())) missing.add(path + " (the command itself)");
        for (OptionSpec o : spec.options()) {
            seen[1]++;
            if (blank(o.description())) missing.add(path + " " + o.longestName());
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            seen[1]++;
            if (blank(p.description())) missing.add(path + " " + p.paramLabel());
        }
        // the help text must render (a bad format string in a description fails here, not in front of a user)
        cmd.getUsageMessage();
        cmd.getSubcommands().values().stream().distinct().forEach(sub -> walk(sub, missing, seen)); // aliases: once
    }

    private static boolean blank(String[] lines) {
        for (String l : lines) if (l != null && !l.isBlank()) return false;
        return true;
    }
}
