package psyche;

/**
 * The root of every error this workbench throws on purpose: unchecked, with a message that says what failed and why,
 * and a {@link #hint()} that says what to do next with our commands. Catch this type to handle all of them.
 */
public class PsycheException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The hint of an error that names no better next step. */
    public static final String REPORT_HINT = "if this looks like a bug, run `run-manager doctor` and attach its output to the report";

    private final String hint;

    public PsycheException(String message) { this(message, null, null); }

    public PsycheException(String message, Throwable cause) { this(message, null, cause); }

    /** {@code hint}: what to do next (null: the type's own, see {@link #hint()}). */
    public PsycheException(String message, String hint, Throwable cause) {
        super(message);
        if (cause != null) initCause(cause);
        this.hint = hint;
    }

    /** What to do next, naming our commands; never blank. Types override it where the next step depends on them. */
    public String hint() { return hint == null || hint.isBlank() ? REPORT_HINT : hint; }
}
