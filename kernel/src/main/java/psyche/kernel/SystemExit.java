package psyche.kernel;

import java.util.List;

/**
 * The cell called {@code System.exit} / {@code Runtime.halt}. The exit guard refused it, so the kernel did not die:
 * the evaluation state is kept. Restart the kernel for a fresh state.
 */
public final class SystemExit extends KernelException {
    private final int status;

    SystemExit(int status) {
        super("System.exit(" + status + ") was called by the cell; the kernel refused to exit and kept its state"
                + " (variables, imports, class path). Use Kernel > Restart for a fresh state.");
        this.status = status;
    }

    public int status() {
        return status;
    }

    @Override
    public List<String> traceback() {
        return List.of("SystemExit: " + getMessage());
    }
}
