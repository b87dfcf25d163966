package psyche.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import psyche.PsycheException;

/**
 * {@code run-manager}: the command line over the library, compatible with Psyche's run-manager. Each subcommand only
 * maps arguments onto a library operation.
 */
@Command(name = "run-manager", mixinStandardHelpOptions = true, version = "psyche-workbench " + psyche.Doctor.VERSION,
        description = "Create, steer, inspect and simulate Psyche training runs.",
        subcommands = {
                DecodeAccountCommand.class,
                CommandLine.HelpCommand.class,
                ValidateConfigCommand.class,
                SimulateCommand.class,
                LocalValidatorCommand.class,
                OwnerCommands.CreateRunCmd.class,
                OwnerCommands.CloseRunCmd.class,
                OwnerCommands.UpdateConfigCmd.class,
                OwnerCommands.SetPausedCmd.class,
                OwnerCommands.SetRatesCmd.class,
                OwnerCommands.CheckpointCmd.class,
                OwnerCommands.TickCmd.class,
                OwnerCommands.JsonDumpRunCmd.class,
                OwnerCommands.JsonDumpUserCmd.class,
                OwnerCommands.AuthCreateCmd.class,
                OwnerCommands.AuthReadCmd.class,
                OwnerCommands.AuthDelegateCmd.class,
                OwnerCommands.AuthDeleteCmd.class,
                OwnerCommands.TopUpCmd.class,
                OwnerCommands.ClaimCmd.class,
                OwnerCommands.CanJoinCmd.class,
                OwnerCommands.ListRunsCmd.class,
                OwnerCommands.DiagnoseCmd.class,
                OwnerCommands.CreateTestMintCmd.class,
                OwnerCommands.AirdropCmd.class,
                OwnerCommands.DownloadResultsCmd.class,
                OwnerCommands.UploadDataCmd.class,
                KeygenCommand.class,
                DoctorCommand.class,
        })
public final class RunManager implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (used by tests). */
    public static int execute(String... args) {
        return execute(System.getProperty("psyche.cli.name", "run-manager"), new java.io.PrintWriter(System.out, true),
                new java.io.PrintWriter(System.err, true), args);
    }

    /**
     * Runs the CLI under {@code name} ("run-manager", or "psyche-solana-client", under which the FAQ gives token
     * amounts and rates in native units) with its output and errors written to {@code out} and {@code err}.
     */
    public static int execute(String name, java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = commandLine()
                .setExecutionExceptionHandler(RunManager::reportFailure)
                .setOut(out).setErr(err);
        cli.setCommandName(name);
        return cli.execute(args);
    }

    /**
     * The library's commands, then those of the modules on the class path ({@link RunManagerCommands}); a module's
     * command whose module is absent is still listed and, run, says what to install.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RunManager());
        for (RunManagerCommands module : ServiceLoader.load(RunManagerCommands.class, RunManager.class.getClassLoader())) {
            for (Object command : module.commands()) cli.addSubcommand(command);
        }
        MODULE_COMMANDS.forEach((command, description) -> {
            if (!cli.getSubcommands().containsKey(command)) cli.addSubcommand(command, moduleMissing(command, description));
        });
        return cli;
    }

    /** Commands of the training module (psyche-train: DJL, PyTorch and tokenizers natives), by name. */
    private static final Map<String, String> MODULE_COMMANDS = new LinkedHashMap<>();
    static {
        MODULE_COMMANDS.put("train", "Train with N clients (DisTrO, DJL PyTorch), printing loss per step.");
        MODULE_COMMANDS.put("sweep", "Train the tiny model with a grid of DisTrO settings and an AdamW baseline.");
    }

    /** Stands in for {@code command} of the absent training module: takes any arguments and says what to install. */
    private static CommandLine moduleMissing(String command, String description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection((Callable<Integer>) () -> {
            throw new PsycheException("run-manager " + command + " needs the training module psyche-train (DJL, the "
                    + "PyTorch natives), which is not on this class path. From a checkout, bin/run-manager " + command
                    + " builds and runs it (train/target/psyche-train-all.jar); elsewhere run java -jar psyche-train-all.jar "
                    + command + " ..., or add psyche-train and its dependencies to the class path.",
                    "from a checkout: bin/run-manager " + command, null);
        });
        spec.name(command).mixinStandardHelpOptions(true).usageMessage().description(description + " Needs the training module (psyche-train).");
        spec.addPositional(PositionalParamSpec.builder().arity("0..*").paramLabel("ARGS").type(String[].class)
                .description("the command's arguments (see its --help with the training module on the class path)").build());
        spec.parser().unmatchedOptionsArePositionalParams(true);
        return new CommandLine(spec);
    }

    /**
     * Our exceptions carry what failed, why and what to do: print that, not a stack trace (set PSYCHE_DEBUG=1 for
     * one). Exit code 1.
     */
    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        cmd.getErr().println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        if (System.getenv("PSYCHE_DEBUG") != null) e.printStackTrace(cmd.getErr());
        return 1;
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
