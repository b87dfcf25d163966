package psyche.kernel;

import java.util.List;

/** The cell was stopped by an interrupt request; declarations completed before the interrupt are kept. */
public final class CellInterrupted extends KernelException {
    CellInterrupted() {
        super("the cell was interrupted; the kernel is ready and keeps its state (variables, imports, class path)");
    }

    @Override
    public List<String> traceback() {
        return List.of("Interrupted: " + getMessage());
    }
}
