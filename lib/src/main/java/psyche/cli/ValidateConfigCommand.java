package psyche.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import psyche.config.ConfigCheck;
import psyche.config.ConfigException;
import psyche.config.ValidationOptions;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code validate-config}: every problem of a config file, and a summary of the run it describes. */
@Command(name = "validate-config", mixinStandardHelpOptions = true,
        description = {"Check a run config (config.toml) against every rule Psyche enforces, and what it silently gets wrong.",
                "Exit 0: no errors (warnings allowed); 1: errors; 2: the file cannot be read."})
public final class ValidateConfigCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config-path", required = true, paramLabel = "FILE", description = "the config TOML to check")
    Path configPath;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Option(names = "--expected-clients", paramLabel = "N", description = "how many clients you expect to join")
    Integer expectedClients;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ValidationOptions options = expectedClients == null ? ValidationOptions.defaults()
                : ValidationOptions.expectingClients(expectedClients);
        ConfigCheck check;
        try {
            check = ConfigCheck.of(configPath, options);
        } catch (ConfigException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("validate-config: " + e.getMessage());
            err.flush();
            return 2;
        }
        out.print(json ? check.toJson() + "\n" : check.render());
        out.flush();
        return check.isValid() ? 0 : 1;
    }
}
