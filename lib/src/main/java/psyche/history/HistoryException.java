package psyche.history;

import psyche.PsycheException;

/** The history store could not be opened, read or written; the message says which file and why. */
public final class HistoryException extends PsycheException {
    public HistoryException(String message, Throwable cause) {
        super(message, "check that the history directory (~/.psyche/history) is writable and has space", cause);
    }
}
