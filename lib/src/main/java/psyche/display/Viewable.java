package psyche.display;

/**
 * A handle a user holds (a {@code Psyche}, a run, a training session, a recorder) that shows itself: an HTML view for
 * notebooks and its plain-text twin for JShell, logs and {@code display()} outside a kernel.
 */
public interface Viewable {
    /** The current view; may read live state (the chain, a running session) and never throws for a failed read. */
    Html view();
}
