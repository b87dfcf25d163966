package psyche.history;

/** The history store could not be opened, read or written; the message says which file and why. */
public final class HistoryException extends RuntimeException {
    public HistoryException(String message, Throwable cause) { super(message, cause); }
}
