package psyche.cli;

import java.util.List;

/** The training module's run-manager commands, found by {@link RunManager#commandLine()} through ServiceLoader. */
public final class TrainingCommands implements RunManagerCommands {
    @Override public List<Object> commands() {
        return List.of(new TrainCommand(), new SweepCommand());
    }
}
