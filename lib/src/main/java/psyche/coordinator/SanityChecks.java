package psyche.coordinator;

import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.HttpLocation;
import psyche.config.LlmModel;
import psyche.config.Optimizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The program's minimal accept/reject checks on config, model and progress (CoordinatorConfig::check_error,
 * Model::check, CoordinatorProgress::check; spec §2). Each method returns the violated rules, empty when accepted.
 * Replace with psyche.config.Validation once merged: it reports the same rules with full messages.
 */
public final class SanityChecks {
    private SanityChecks() {}

    public static List<String> config(CoordinatorConfig c, LlmModel model) {
        List<String> v = new ArrayList<>();
        if (c.epochTime() == 0) v.add("epoch_time must be > 0");
        if (Long.compareUnsigned(c.warmupTime(), c.epochTime()) >= 0) {
            v.add("warmup_time (" + c.warmupTime() + ") must be < epoch_time (" + c.epochTime() + ")");
        }
        if (c.maxRoundTrainTime() == 0 || Long.compareUnsigned(c.maxRoundTrainTime(), c.epochTime()) >= 0) {
            v.add("max_round_train_time (" + c.maxRoundTrainTime() + ") must be > 0 and < epoch_time (" + c.epochTime() + ")");
        }
        if (c.roundWitnessTime() == 0) v.add("round_witness_time must be > 0");
        if (c.minClients() == 0) v.add("min_clients must be > 0");
        if (c.initMinClients() < c.minClients() || c.initMinClients() > Coordinator.MAX_CLIENTS) {
            v.add("init_min_clients (" + c.initMinClients() + ") must be >= min_clients (" + c.minClients() + ") and <= 256");
        }
        if (c.globalBatchSizeStart() == 0 || c.globalBatchSizeEnd() == 0 || c.globalBatchSizeEnd() < c.globalBatchSizeStart()) {
            v.add("global_batch_size_start (" + c.globalBatchSizeStart() + ") and _end (" + c.globalBatchSizeEnd()
                    + ") must be > 0 with end >= start");
        }
        if (c.totalSteps() == 0) v.add("total_steps must be > 0");
        if (c.witnessNodes() > c.minClients() || c.witnessNodes() > Coordinator.MAX_WITNESSES) {
            v.add("witness_nodes (" + c.witnessNodes() + ") must be <= min_clients (" + c.minClients() + ") and <= 32");
        }
        if (c.cooldownTime() == 0) v.add("cooldown_time must be > 0");
        if (c.waitingForMembersExtraTime() == 0) v.add("waiting_for_members_extra_time must be > 0");
        if (model != null && model.coldStartWarmupSteps() > 0 && c.maxRoundTrainTime() > 0
                && Long.compareUnsigned(c.epochTime(), c.warmupTime()) > 0) {
            v.addAll(coldStart(c, model));
        }
        return v;
    }

    /**
     * Coordinator::check_cold_start_warmup_steps (shared/coordinator/src/coordinator.rs:892-911) on the state as the
     * program holds it. Its u64 arithmetic panics (overflow-checks = true in the program's release profile) when
     * warmup_time > epoch_time or max_round_train_time == 0: those throw, and the transaction fails as
     * ProgramFailedToComplete, as on chain.
     */
    public static List<String> coldStart(CoordinatorConfig c, LlmModel model) {
        if (model.coldStartWarmupSteps() == 0) return List.of();
        if (Long.compareUnsigned(c.epochTime(), c.warmupTime()) < 0) {
            throw new ArithmeticException("attempt to subtract with overflow (epoch_time - warmup_time)");
        }
        long rounds = Long.divideUnsigned(c.epochTime() - c.warmupTime(), c.maxRoundTrainTime()); // /0 throws, as Rust panics
        if (Long.compareUnsigned(model.coldStartWarmupSteps(), rounds) > 0) {
            return List.of("cold_start_warmup_steps (" + model.coldStartWarmupSteps() + ") must be <= (epoch_time - warmup_time)"
                    + " / max_round_train_time = " + rounds);
        }
        return List.of();
    }

    public static List<String> model(LlmModel m) {
        List<String> v = new ArrayList<>();
        if (m.maxSeqLen() == 0) v.add("max_seq_len must be > 0");
        Checkpoint cp = m.checkpoint();
        if (cp instanceof Checkpoint.Ephemeral) v.add("checkpoint Ephemeral is not accepted; use Hub or Gcs");
        if (cp instanceof Checkpoint.Hub h && h.repo().repoId().isEmpty()) v.add("checkpoint Hub needs repo_id");
        if (cp instanceof Checkpoint.P2P h && h.repo().repoId().isEmpty()) v.add("checkpoint P2P needs repo_id");
        if (cp instanceof Checkpoint.Gcs g && g.repo().bucket().isEmpty()) v.add("checkpoint Gcs needs bucket");
        if (cp instanceof Checkpoint.P2PGcs g && g.repo().bucket().isEmpty()) v.add("checkpoint P2PGcs needs bucket");
        // model.rs:316-337: every data location but Dummy and Local needs its URL / bucket
        DataLocation d = m.dataLocation();
        boolean badData = false;
        if (d instanceof DataLocation.Server x) badData = x.address().isEmpty();
        else if (d instanceof DataLocation.WeightedHttp x) badData = x.url().isEmpty();
        else if (d instanceof DataLocation.Preprocessed x) badData = x.location().isEmpty();
        else if (d instanceof DataLocation.Http h) {
            HttpLocation l = h.location();
            if (l instanceof HttpLocation.SingleUrl u) badData = u.url().isEmpty();
            else if (l instanceof HttpLocation.NumberedFiles n) badData = n.urlTemplate().isEmpty() || n.numFiles() == 0;
            else if (l instanceof HttpLocation.Gcp g) badData = g.bucketName().isEmpty();
        }
        if (badData) v.add("bad LLM training data location: its URL, template or bucket is empty (or num_files is 0)");
        if (m.optimizer() instanceof Optimizer.Dummy) v.add("optimizer Dummy is not accepted; use AdamW or Distro");
        return v;
    }

    public static List<String> progress(Progress p) {
        return p.step() > 0 ? List.of() : List.of("progress.step must be > 0");
    }
}
