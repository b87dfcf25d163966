package psyche.kernel;

import java.util.List;

/**
 * A cell that did not complete. Jupyter shows {@link #getClass()}'s simple name as the error name, the message as
 * its value and {@link #traceback()} as the error body.
 */
public abstract class KernelException extends RuntimeException {
    protected KernelException(String message) {
        super(message);
    }

    protected KernelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Lines shown under the error in the notebook (no embedded newlines). */
    public abstract List<String> traceback();
}
