package psyche.train;

/** A training session or one of its parts failed; the message says what, why and what to do next. */
public class TrainingException extends RuntimeException {
    public TrainingException(String message) { super(message); }

    public TrainingException(String message, Throwable cause) { super(message, cause); }
}
