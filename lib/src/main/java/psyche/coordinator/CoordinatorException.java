package psyche.coordinator;

import psyche.PsycheException;
import java.util.Objects;

/** The engine refused an operation; {@link #error()} says which rule, the message says what to do. */
public final class CoordinatorException extends PsycheException {
    private final CoordinatorError error;
    private final String detail;

    public CoordinatorException(CoordinatorError error, String detail) {
        super("coordinator error " + Objects.requireNonNull(error, "error").name() + ": " + error.message()
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")") + "; " + error.hint());
        this.error = error;
        this.detail = detail == null ? "" : detail;
    }

    /** What exactly was wrong, without the generic message and hint. */
    public String detail() { return detail; }

    public CoordinatorError error() { return error; }

    @Override public String hint() { return error.hint(); }
}
