package psyche.cli;

import java.util.List;

/**
 * Subcommands that another module adds to {@code run-manager} when it is on the class path, found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/psyche.cli.RunManagerCommands}): the training module
 * (psyche-train) adds {@code train} and {@code sweep}, so the library and its CLI do not carry DJL and the PyTorch
 * natives.
 */
public interface RunManagerCommands {
    /** picocli command objects (annotated with {@code @Command}), each added under its own name. */
    List<Object> commands();
}
