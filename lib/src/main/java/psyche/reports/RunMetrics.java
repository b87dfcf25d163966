package psyche.reports;

import psyche.history.History;
import psyche.history.HistoryStore;
import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of one executed report, in one place: what the notebook recorded in its provenance (final and held-out
 * loss, bytes per step, and series such as loss by step) and what its runs' history stores hold (steps, rounds, batch
 * sizes by round). A comparison reads only this, so new history tables (training metrics) are added here once.
 */
public record RunMetrics(String label, Map<String, Double> metrics, Map<String, List<double[]>> series) {

    public static RunMetrics of(String label, Provenance p) {
        Map<String, Double> metrics = new LinkedHashMap<>(p.metrics());
        Map<String, List<double[]>> series = new LinkedHashMap<>(p.series());
        for (String store : p.historyStores()) {
            Path file = Path.of(store);
            if (!Files.isRegularFile(file)) {
                metrics.put("history store missing: " + file.getFileName(), Double.NaN);
                continue;
            }
            try (HistoryStore h = HistoryStore.open(file)) {
                for (String runId : h.runs()) readHistory(runId, h.history(runId), metrics, series);
            }
        }
        return new RunMetrics(label, metrics, series);
    }

    private static void readHistory(String runId, History h, Map<String, Double> metrics, Map<String, List<double[]>> series) {
        Table states = h.states();
        if (states.rowCount() > 0) {
            metrics.put(runId + ": last step", (double) states.longColumn("step").max());
            metrics.put(runId + ": last epoch", (double) states.intColumn("epoch").max());
        }
        Table rounds = h.rounds();
        metrics.put(runId + ": rounds recorded", (double) rounds.rowCount());
        if (rounds.rowCount() > 0) {
            List<double[]> batch = new ArrayList<>();
            for (int i = 0; i < rounds.rowCount(); i++) batch.add(new double[] {i + 1, rounds.intColumn("batch_size").get(i)});
            series.put(runId + ": batch size by round", batch);
        }
    }
}
