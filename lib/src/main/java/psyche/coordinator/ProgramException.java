package psyche.coordinator;

import psyche.PsycheException;
import java.util.Objects;

/** The coordinator program refused an instruction; carries the {@link ProgramError} (and code 6000+). */
public final class ProgramException extends PsycheException {
    private final ProgramError error;

    public ProgramException(ProgramError error, String detail) {
        this(error, detail, null);
    }

    public ProgramException(ProgramError error, String detail, Throwable cause) {
        super("program error " + Objects.requireNonNull(error, "error").code() + " " + error.name() + ": "
                + error.message() + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")") + "; "
                + error.hint(), cause);
        this.error = error;
    }

    /** Wraps an engine refusal the way the program maps it ({@code From<CoordinatorError>}). */
    public static ProgramException of(CoordinatorException e) {
        return new ProgramException(ProgramError.of(e.error()), e.detail(), e);
    }

    public ProgramError error() { return error; }

    public int code() { return error.code(); }

    @Override public String hint() { return error.hint(); }
}
