package psyche.train;

import psyche.PsycheException;

/** A training session or one of its parts failed; the message says what, why and what to do next. */
public class TrainingException extends PsycheException {
    public TrainingException(String message) { super(message); }

    public TrainingException(String message, Throwable cause) { super(message, cause); }

    /** Rethrows a background session's failure in the caller: typed failures as they are, others wrapped. */
    public static void rethrow(Throwable failure, String what) {
        if (failure instanceof TrainingException te) throw te;
        if (failure != null) throw new TrainingException(what + " failed: " + failure, failure);
    }

    /** Waits for a session thread to end (not when called from that thread itself); keeps the interrupt flag. */
    public static void join(Thread sessionThread) {
        if (sessionThread == null || sessionThread == Thread.currentThread()) return;
        try {
            sessionThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
