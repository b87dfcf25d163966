package psyche.train;

import psyche.config.DataLocation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The divergence guard of every kind of session (in-process {@link Training} and chain-followed
 * {@code ChainTraining}): it keeps the last finite state (a client's weights after a step whose next forward pass
 * gave finite losses; weights that are finite but huge fail the latter) and, when a loss, the weights or the LR stop
 * being finite, writes that state as a checkpoint {@code {run_id}-step{N}} (f32) and builds the exception that names
 * the step, the client, the offending tensor, the LR and how to continue ({@code --resume DIR --lr-scale 0.5}).
 */
public final class DivergenceGuard {
    /** What the guard reports when the learning rate itself is not finite. */
    public static final String LR = "the learning rate";

    private final Path checkpointDir;
    private final String runId;
    private final DataLocation data;
    private final String resumeHint;
    private final BiConsumer<Long, Path> onCheckpoint;
    private float[] lastFinite;
    private long lastFiniteStep = -1;
    private float[] candidate;
    private long candidateStep = -1;

    /**
     * @param checkpointDir where the last finite state goes (null: it is not kept)
     * @param resumeHint    the command that continues a session, e.g. {@code bin/run-manager train}; the guard adds
     *                      {@code --resume DIR --lr-scale 0.5}
     * @param onCheckpoint  told of the checkpoint the guard wrote (step, directory)
     */
    public DivergenceGuard(Path checkpointDir, String runId, DataLocation data, String resumeHint,
                           BiConsumer<Long, Path> onCheckpoint) {
        this.checkpointDir = checkpointDir;
        this.runId = runId;
        this.data = data;
        this.resumeHint = resumeHint;
        this.onCheckpoint = onCheckpoint;
    }

    /** Checks an LR scale (the {@code --lr-scale} of a resume after a divergence): a positive finite number. */
    public static double lrScale(double scale) {
        if (!(scale > 0) || !Double.isFinite(scale)) throw new TrainingException("lr scale must be a positive number, got " + scale);
        return scale;
    }

    /** The state {@code model} holds after {@code step} is finite (the start, or weights no update has moved). */
    public void keep(LlamaModel model, long step) {
        lastFinite = model.parameters().flat().toFloatArray();
        lastFiniteStep = step;
        candidate = null;
    }

    /** A round starts from {@code model}'s state after {@code step}; it is kept once the round's losses are finite. */
    public void roundStarts(LlamaModel model, long step) {
        candidate = model.parameters().flat().toFloatArray();
        candidateStep = step;
    }

    /** Every loss of the round was finite: the state it started from was good. */
    public void lossesFinite() {
        if (candidate == null) return;
        lastFinite = candidate;
        lastFiniteStep = candidateStep;
        candidate = null;
    }

    public long lastFiniteStep() { return lastFiniteStep; }

    /** The exception for a non-finite loss of {@code client} (the model it trained) at {@code step}. */
    public TrainingException lossNotFinite(long step, String client, float loss, LlamaModel trained, double lr, LlamaModel keepFrom) {
        return diverged(step, client, "the loss", "loss became " + loss
                + nonFiniteTensors(trained, " (weights and gradients finite: the forward pass overflowed)"), lr, keepFrom);
    }

    /** The exception for non-finite weights of {@code client} after applying the round's update. */
    public TrainingException weightsNotFinite(long step, String client, LlamaModel model, double lr, LlamaModel keepFrom) {
        return diverged(step, client, "the weights", "after applying the round's update" + nonFiniteTensors(model, ""),
                lr, keepFrom);
    }

    /**
     * Stops a diverged session: writes the last finite state (weights after step {@link #lastFiniteStep}, f32, with
     * the config of {@code model}) as {@code {run_id}-step{N}} and says how to continue from it with a lower LR.
     * {@code client} null: the whole session (the LR).
     */
    public TrainingException diverged(long step, String client, String what, String detail, double lr, LlamaModel model) {
        String kept;
        if (checkpointDir != null && lastFinite != null && lastFiniteStep > 0) {
            Path dir = checkpointDir.resolve(runId + "-step" + lastFiniteStep);
            LlamaModel.write(dir, model.config(), model.parameters().tensors(lastFinite), Safetensors.Dtype.F32);
            Training.copyTokenizer(data, dir);
            onCheckpoint.accept(lastFiniteStep, dir);
            kept = "the last finite state (step " + lastFiniteStep + ") is in " + dir + "; " + (what.equals(LR)
                    ? "fix the schedule, then continue from it: " + resumeHint + " --resume " + dir + " --config-path FIXED.toml"
                    : "Lower the learning rate and continue from it: " + resumeHint + " --resume " + dir
                            + " --lr-scale 0.5 (Training.resumeFrom(dir).optLrScale(0.5))");
        } else if (lastFiniteStep <= 0) {
            kept = "it diverged before any step completed: Lower the learning rate (--lr-scale 0.5) or fix the schedule";
        } else {
            kept = "no checkpoint directory was set, so the last finite state (step " + lastFiniteStep + ") is not kept: "
                    + "Lower the learning rate: rerun with --checkpoint-dir DIR (optCheckpointDir) and --lr-scale 0.5";
        }
        return new TrainingException("training diverged at step " + step + (client != null ? " on " + client : "")
                + ": " + what + " is not finite (" + detail + "), lr " + String.format("%.3e", lr)
                + ": the session stopped; " + kept);
    }

    /** Names the parameters of {@code m} holding a non-finite weight or gradient; {@code otherwise} when none does. */
    static String nonFiniteTensors(LlamaModel m, String otherwise) {
        List<String> bad = new ArrayList<>();
        for (var e : m.parameters().entrySet()) {
            ai.djl.ndarray.NDArray p = e.getValue();
            if (!allFinite(p.toFloatArray())) bad.add(e.getKey());
            else if (p.hasGradient()) {
                try (ai.djl.ndarray.NDArray g = p.getGradient()) {
                    if (!allFinite(g.toFloatArray())) bad.add(e.getKey() + " (gradient)");
                }
            }
            if (bad.size() >= 3) break;
        }
        return bad.isEmpty() ? otherwise : "; first non-finite tensor" + (bad.size() > 1 ? "s " : " ") + String.join(", ", bad);
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) if (!Float.isFinite(v)) return false;
        return true;
    }
}
