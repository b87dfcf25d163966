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
 * loss, bytes per step, and series such as loss by step) and what its runs' history stores hold: steps, rounds, batch
 * sizes by round, and the training sessions' figures (loss by step, held-out loss by step, result bytes per step,
 * from {@code psyche.train.TrainingHistory}). A comparison reads only this, so new history tables are added here once.
 * <p>
 * Training series are named without the run id when a store holds one training session ("training loss by step"),
 * so two reports of the same experiment overlay in one chart; with several sessions each name carries its run and
 * session.
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
                readTraining(h, metrics, series);
            }
        }
        return new RunMetrics(label, metrics, series);
    }

    private static void readTraining(HistoryStore h, Map<String, Double> metrics, Map<String, List<double[]>> series) {
        List<String[]> sessions = new ArrayList<>();
        for (String runId : h.runs()) for (String session : h.trainingSessions(runId)) sessions.add(new String[] {runId, session});
        for (String[] rs : sessions) {
            String suffix = sessions.size() == 1 ? "" : " (" + rs[0] + " / " + rs[1] + ")";
            Table steps = h.trainingSteps(rs[0]).where(h.trainingSteps(rs[0]).stringColumn("session").isEqualTo(rs[1]));
            // one row per client and step: the step's loss is the clients' mean, its result bytes the same on each row
            java.util.TreeMap<Long, double[]> byStep = new java.util.TreeMap<>(); // step -> {loss sum, rows, result bytes}
            for (int i = 0; i < steps.rowCount(); i++) {
                double[] acc = byStep.computeIfAbsent(steps.longColumn("step").get(i), k -> new double[3]);
                acc[0] += steps.doubleColumn("loss").get(i);
                acc[1]++;
                acc[2] = steps.longColumn("result_bytes").get(i);
            }
            if (!byStep.isEmpty()) {
                List<double[]> loss = new ArrayList<>();
                List<double[]> bytes = new ArrayList<>();
                double bytesSum = 0;
                for (Map.Entry<Long, double[]> e : byStep.entrySet()) {
                    loss.add(new double[] {e.getKey(), e.getValue()[0] / e.getValue()[1]});
                    bytes.add(new double[] {e.getKey(), e.getValue()[2]});
                    bytesSum += e.getValue()[2];
                }
                series.put("training loss by step" + suffix, loss);
                series.put("result bytes per step" + suffix, bytes);
                metrics.put("final training loss" + suffix, loss.get(loss.size() - 1)[1]);
                metrics.put("mean result bytes per step" + suffix, bytesSum / bytes.size());
            }
            Table evals = h.evaluations(rs[0]);
            evals = evals.where(evals.stringColumn("session").isEqualTo(rs[1]));
            Map<String, List<double[]>> bySplit = new LinkedHashMap<>();
            for (int i = 0; i < evals.rowCount(); i++) {
                bySplit.computeIfAbsent(evals.stringColumn("split").get(i), k -> new ArrayList<>())
                        .add(new double[] {evals.longColumn("step").get(i), evals.doubleColumn("loss").get(i)});
            }
            for (Map.Entry<String, List<double[]>> e : bySplit.entrySet()) {
                List<double[]> pts = new ArrayList<>(e.getValue());
                pts.sort(java.util.Comparator.comparingDouble(p -> p[0]));
                series.put("held-out loss (" + e.getKey() + ") by step" + suffix, pts);
                metrics.put("final held-out loss (" + e.getKey() + ")" + suffix, pts.get(pts.size() - 1)[1]);
            }
        }
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
