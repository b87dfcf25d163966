package psyche.train;

import java.nio.file.Path;

/** Callbacks from a session's training thread; keep them short (they run between rounds). */
public interface TrainingListener {
    void onStep(StepReport report);

    default void onCheckpoint(long step, Path dir) {}

    /**
     * The model at {@code step} was evaluated on held-out data ({@code split}, e.g. "valid": {@code tokens} predicted
     * tokens, mean loss {@code loss}) when checkpoint {@code checkpoint} was written.
     */
    default void onEvaluation(long step, String split, double loss, long tokens, Path checkpoint) {}

    /** The session ended: normally ({@code error == null}), stopped, or failed. */
    default void onEnd(long lastStep, Throwable error) {}
}
