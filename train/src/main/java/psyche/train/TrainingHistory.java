package psyche.train;

import psyche.history.HistoryStore;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a training session's metrics into a run's history store (the SQLite file that also holds the run's chain
 * history): per step and client the loss, with the step's LR, tokens, tokens/s, seconds and result bytes
 * ({@link HistoryStore#trainingSteps}), and the held-out loss at each checkpoint ({@link HistoryStore#evaluations}).
 * Charts of a session then survive a kernel restart, and two sessions of a run ({@code session} labels) compare.
 *
 * <pre>{@code
 * try (HistoryStore store = HistoryStore.open(Path.of("history.sqlite"))) {
 *     Training.builder()...optListener(new TrainingHistory(store, "run", "lr-4e-3")).build().run();
 *     Table steps = store.trainingSteps("run");
 * }
 * }</pre>
 */
public final class TrainingHistory implements TrainingListener {
    private final HistoryStore store;
    private final String runId;
    private final String session;
    private final Clock clock;

    public TrainingHistory(HistoryStore store, String runId, String session) {
        this(store, runId, session, Clock.systemUTC());
    }

    public TrainingHistory(HistoryStore store, String runId, String session, Clock clock) {
        this.store = store;
        this.runId = runId;
        this.session = session;
        this.clock = clock;
    }

    public String session() { return session; }

    @Override public void onStep(StepReport r) {
        List<HistoryStore.TrainingStep> rows = new ArrayList<>();
        for (int c = 0; c < r.clientLosses().size(); c++) {
            float loss = r.clientLosses().get(c);
            if (Float.isNaN(loss)) continue; // a client without data this round
            rows.add(new HistoryStore.TrainingStep(r.step(), c, loss, r.lr(), r.tokens(), r.tokensPerSecond(),
                    r.stepSeconds(), r.resultBytes()));
        }
        store.recordTrainingStep(runId, session, rows, clock.instant());
    }

    @Override public void onEvaluation(long step, String split, double loss, long tokens, Path checkpoint) {
        store.recordEvaluation(runId, session, step, split, loss, tokens, checkpoint == null ? null : checkpoint.toString(),
                clock.instant());
    }

    @Override public String toString() { return "TrainingHistory[" + runId + " / " + session + " -> " + store + "]"; }
}
