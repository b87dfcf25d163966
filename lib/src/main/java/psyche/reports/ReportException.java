package psyche.reports;

/** A report could not be prepared, executed, checked or compared; the message says what, why and what to do next. */
public final class ReportException extends psyche.PsycheException {
    public ReportException(String message) { super(message); }

    public ReportException(String message, Throwable cause) { super(message, cause); }
}
