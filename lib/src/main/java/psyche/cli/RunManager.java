package psyche.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

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
                SweepCommand.class,
                TrainCommand.class,
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
        CommandLine cli = new CommandLine(new RunManager())
                .setExecutionExceptionHandler(RunManager::reportFailure)
                .setOut(out).setErr(err);
        cli.setCommandName(name);
        return cli.execute(args);
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
