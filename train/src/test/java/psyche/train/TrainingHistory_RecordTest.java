package psyche.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.config.DataLocation;
import psyche.history.HistoryStore;
import psyche.coordinator.BatchId;
import psyche.train.data.TokenDataProvider;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session's metrics land in the run's SQLite history store and read back after the store is reopened. */
class TrainingHistory_RecordTest {
    static final Path TRAIN = Path.of("../datasets/tiny/train.bin");
    static final LlamaConfig SMALL = new LlamaConfig(32, 1, 4, 2, 64, 1024, 64, 10000.0, 1e-5, true);
    @TempDir Path dir;

    @Test void stepsPerClientAndHeldOutLossAtCheckpointsSurviveReopening() {
        Path file = dir.resolve("history.sqlite");
        List<StepReport> reports = new ArrayList<>();
        float finalHeldOut;
        var cfg = TinyRun.config(TRAIN, 4);
        try (HistoryStore store = HistoryStore.open(file);
             Training t = Training.builder().setConfig(cfg).optClients(2).optModel(SMALL).optDevice("cpu")
                     .optDataset(TRAIN).optRunId("hist").optCheckpointDir(dir).optCheckpointEvery(2).optSteps(4)
                     .optListener(reports::add).optListener(new TrainingHistory(store, "hist", "first")).build()) {
            t.run();
            try (TokenDataProvider valid = TokenDataProvider.open(new DataLocation.Local(TRAIN.resolveSibling("valid.bin").toString()),
                    (int) cfg.model().maxSeqLen())) {
                finalHeldOut = t.evalLoss(valid.samples(new BatchId(0, 7)));
            }
        }
        try (HistoryStore again = HistoryStore.open(file)) {
            assertEquals(List.of("first"), again.trainingSessions("hist"));
            Table steps = again.trainingSteps("hist");
            assertEquals(8, steps.rowCount(), steps.print());
            for (int row = 0; row < steps.rowCount(); row++) {
                StepReport r = reports.get(row / 2);
                int client = row % 2;
                assertEquals(r.step(), steps.longColumn("step").get(row));
                assertEquals(client, steps.intColumn("client").get(row));
                assertEquals(r.clientLosses().get(client), steps.doubleColumn("loss").get(row), 0.0);
                assertEquals(r.lr(), steps.doubleColumn("lr").get(row), 0.0);
                assertEquals(r.tokens(), steps.longColumn("tokens").get(row));
                assertEquals(r.tokensPerSecond(), steps.doubleColumn("tokens_per_s").get(row), 0.0);
                assertEquals(r.resultBytes(), steps.longColumn("result_bytes").get(row));
                assertTrue(r.resultBytes() > 0);
            }
            Table evals = again.evaluations("hist");
            assertEquals(List.of(2L, 4L), evals.longColumn("step").asList());
            assertEquals(List.of("valid", "valid"), evals.stringColumn("split").asList());
            assertEquals(dir.resolve("hist-step4").toString(), evals.stringColumn("checkpoint").get(1));
            assertEquals(finalHeldOut, evals.doubleColumn("loss").get(1), 0.0, "the f32 model's loss on valid.bin's first 8 sequences");
            assertEquals(8L * 64, evals.longColumn("tokens").get(1));
            assertEquals(0, again.trainingSteps("other").rowCount());
        }
    }
}
