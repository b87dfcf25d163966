package psyche.train;

import java.nio.file.Path;

/** Callbacks from a session's training thread; keep them short (they run between rounds). */
public interface TrainingListener {
    void onStep(StepReport report);

    default void onCheckpoint(long step, Path dir) {}

    /** The session ended: normally ({@code error == null}), stopped, or failed. */
    default void onEnd(long lastStep, Throwable error) {}
}
