package psyche.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code run-manager}: the command line over the library, compatible with Psyche's run-manager. Each subcommand only
 * maps arguments onto a library operation.
 */
@Command(name = "run-manager", mixinStandardHelpOptions = true, version = "psyche-workbench 0.1.0",
        description = "Create, steer, inspect and simulate Psyche training runs.",
        subcommands = {
                CommandLine.HelpCommand.class,
                LocalValidatorCommand.class,
        })
public final class RunManager implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (used by tests). */
    public static int execute(String... args) {
        return new CommandLine(new RunManager()).execute(args);
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
