package psyche.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a config means for a run, in numbers: steps, the batch-size ramp in sequences and tokens, epoch timing and
 * the rounds an epoch holds, the optimizer, and the learning rate at a few steps. Estimates assume every round
 * finishes within its time limits.
 *
 * @param roundsPerEpoch (epoch_time - warmup_time) / (max_round_train_time + round_witness_time), rounded down
 * @param rampSteps      steps until the batch reaches global_batch_size_end (0 without a ramp)
 * @param totalTokens    tokens trained over total_steps, following the ramp
 * @param learningRates  step to learning rate (before any cold-start scaling)
 */
public record RunSummary(
        long totalSteps,
        long maxSeqLen,
        int batchSizeStart,
        int batchSizeEnd,
        long batchWarmupTokens,
        long tokensPerStepStart,
        long tokensPerStepEnd,
        long rampSteps,
        double totalTokens,
        long epochTime,
        long warmupTime,
        long cooldownTime,
        long roundTime,
        long roundsPerEpoch,
        long estimatedEpochs,
        String architecture,
        String checkpoint,
        String data,
        String optimizer,
        String lrSchedule,
        Map<Long, Double> learningRates) {

    public RunSummary {
        learningRates = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(learningRates));
    }

    /** Beyond this many ramp steps the rest is counted at the final batch size (keeps absurd configs fast). */
    static final long MAX_SIMULATED_STEPS = 1_000_000;

    private static long saturatingMultiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    public static RunSummary of(RunConfig rc) {
        CoordinatorConfig c = rc.config();
        LlmModel m = rc.model();
        long seq = m.maxSeqLen();
        // follow the coordinator: a round's batch depends on the tokens before it (data_index * max_seq_len)
        long dataIndex = 0, step = 0, rampSteps = 0;
        double tokens = 0;
        long limit = Math.max(0, c.totalSteps());
        while (step < limit && step < MAX_SIMULATED_STEPS) {
            int batch = batchSize(c, saturatingMultiply(dataIndex, seq));
            if (batch == c.globalBatchSizeEnd() || batch <= 0) break;
            dataIndex += batch;
            tokens += (double) batch * seq;
            step++;
            rampSteps = step;
        }
        tokens += (double) (limit - step) * c.globalBatchSizeEnd() * seq;
        long roundTime = c.maxRoundTrainTime() + c.roundWitnessTime();
        long rounds = roundTime > 0 && c.epochTime() > c.warmupTime() ? (c.epochTime() - c.warmupTime()) / roundTime : 0;
        long epochs = rounds > 0 ? (limit + rounds - 1) / rounds : 0;

        Map<Long, Double> lrs = new LinkedHashMap<>();
        LrSchedule lr = m.lrSchedule();
        for (long s : new long[] {1, lr.warmupSteps(), limit / 2, limit}) {
            if (s >= 0 && s <= limit && !lrs.containsKey(s)) lrs.put(s, lr.lr(s));
        }
        return new RunSummary(c.totalSteps(), seq, c.globalBatchSizeStart(), c.globalBatchSizeEnd(),
                c.globalBatchSizeWarmupTokens(), c.globalBatchSizeStart() * seq, c.globalBatchSizeEnd() * seq, rampSteps,
                tokens, c.epochTime(), c.warmupTime(), c.cooldownTime(), roundTime, rounds, epochs,
                m.architecture().name(), describe(m.checkpoint()), describe(m.dataLocation()), describe(m.optimizer()),
                describe(lr), lrs);
    }

    /** Psyche's {@code CoordinatorConfig::get_batch_size}: linear ramp over warmup tokens, rounded. */
    static int batchSize(CoordinatorConfig c, long tokensProcessed) {
        if (tokensProcessed >= c.globalBatchSizeWarmupTokens()) return c.globalBatchSizeEnd();
        double progress = (double) tokensProcessed / (double) c.globalBatchSizeWarmupTokens();
        return (int) Math.round(c.globalBatchSizeStart() + (c.globalBatchSizeEnd() - (double) c.globalBatchSizeStart()) * progress);
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "run: %s, %s, context %d tokens%n", architecture, checkpoint, maxSeqLen));
        b.append(String.format(Locale.ROOT, "data: %s%n", data));
        b.append(String.format(Locale.ROOT, "steps: %d, about %s tokens in all%n", totalSteps, human(totalTokens)));
        if (batchSizeStart == batchSizeEnd || batchWarmupTokens == 0) {
            b.append(String.format(Locale.ROOT, "batch: %d sequences = %s tokens per step (no ramp%s)%n", batchSizeEnd,
                    human(tokensPerStepEnd), batchSizeStart != batchSizeEnd
                            ? ": global_batch_size_warmup_tokens = 0, so global_batch_size_start is never used" : ""));
        } else {
            b.append(String.format(Locale.ROOT, "batch: %d -> %d sequences (%s -> %s tokens per step) over the first %s tokens, about %d steps%n",
                    batchSizeStart, batchSizeEnd, human(tokensPerStepStart), human(tokensPerStepEnd), human(batchWarmupTokens), rampSteps));
        }
        b.append(String.format(Locale.ROOT, "epoch: %d s (warmup %d s, rounds of at most %d s, cooldown %d s) -> about %d rounds per epoch, %d epochs%n",
                epochTime, warmupTime, roundTime, cooldownTime, roundsPerEpoch, estimatedEpochs));
        b.append(String.format(Locale.ROOT, "optimizer: %s%n", optimizer));
        b.append(String.format(Locale.ROOT, "lr: %s;", lrSchedule));
        learningRates.forEach((s, v) -> b.append(String.format(Locale.ROOT, " step %d: %.3g", s, v)));
        b.append('\n');
        return b.toString();
    }

    @Override public String toString() { return render(); }

    static String human(double n) {
        if (Math.abs(n) >= 1e12) return String.format(Locale.ROOT, "%.1fT", n / 1e12);
        if (Math.abs(n) >= 1e9) return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        if (Math.abs(n) >= 1e6) return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        if (Math.abs(n) >= 1e4) return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        return String.format(Locale.ROOT, "%.0f", n);
    }

    static String describe(Checkpoint c) {
        if (c instanceof Checkpoint.Hub h) return "checkpoint Hub " + h.repo().repoId();
        if (c instanceof Checkpoint.P2P p) return "checkpoint P2P (Hub " + p.repo().repoId() + ")";
        if (c instanceof Checkpoint.Gcs g) return "checkpoint Gcs " + g.repo().bucket();
        if (c instanceof Checkpoint.P2PGcs g) return "checkpoint P2PGcs (Gcs " + g.repo().bucket() + ")";
        if (c instanceof Checkpoint.Dummy) return "checkpoint Dummy";
        return "checkpoint Ephemeral";
    }

    static String describe(DataLocation d) {
        if (d instanceof DataLocation.Local l) return "Local " + l.path();
        if (d instanceof DataLocation.Server s) return "Server " + s.address();
        if (d instanceof DataLocation.WeightedHttp w) return "WeightedHttp " + w.url();
        if (d instanceof DataLocation.Preprocessed p) return "Preprocessed " + p.location();
        if (d instanceof DataLocation.Http h) {
            String where;
            if (h.location() instanceof HttpLocation.SingleUrl u) where = u.url();
            else if (h.location() instanceof HttpLocation.NumberedFiles n) where = n.numFiles() + " files " + n.urlTemplate();
            else {
                HttpLocation.Gcp g = (HttpLocation.Gcp) h.location();
                where = "gs://" + g.bucketName() + (g.filterDirectory().isEmpty() ? "" : "/" + g.filterDirectory());
            }
            return "Http " + where + ", " + h.tokenSizeInBytes().bytes() + "-byte tokens, "
                    + (h.shuffle() instanceof Shuffle.Seeded ? "seeded shuffle" : "no shuffle");
        }
        return "Dummy (synthetic tokens)";
    }

    static String describe(Optimizer o) {
        if (o instanceof Optimizer.AdamW a) {
            return String.format(Locale.ROOT, "AdamW betas (%s, %s), weight decay %s, eps %s%s", a.beta1(), a.beta2(),
                    a.weightDecay(), a.eps(), a.clipGradNorm().map(v -> ", clip " + v).orElse(""));
        }
        if (o instanceof Optimizer.Distro d) {
            return String.format(Locale.ROOT, "DisTrO top-%d of %dx%d chunks, compression decay %s%s%s%s",
                    d.compressionTopk(), d.compressionChunk(), d.compressionChunk(), d.compressionDecay(),
                    d.quantize1bit() ? ", 1-bit" : "", d.clipGradNorm().map(v -> ", clip " + v).orElse(""),
                    d.weightDecay().map(v -> ", weight decay " + v).orElse(""));
        }
        return "Dummy";
    }

    static String describe(LrSchedule lr) {
        String warm = String.format(Locale.ROOT, "warmup %d steps from %.3g", lr.warmupSteps(), lr.warmupInitLr());
        if (lr instanceof LrSchedule.Constant c) return String.format(Locale.ROOT, "Constant %.3g, %s", c.baseLr(), warm);
        if (lr instanceof LrSchedule.Linear l) return String.format(Locale.ROOT, "Linear %.3g -> %.3g by step %d, %s", l.baseLr(), l.finalLr(), l.totalSteps(), warm);
        if (lr instanceof LrSchedule.Cosine c) return String.format(Locale.ROOT, "Cosine %.3g -> %.3g by step %d, %s", c.baseLr(), c.finalLr(), c.totalSteps(), warm);
        LrSchedule.WarmupStableDecay w = (LrSchedule.WarmupStableDecay) lr;
        return String.format(Locale.ROOT, "WarmupStableDecay %.3g, stable %d, cosine %d to %.3g, linear %d to %.3g, %s",
                w.baseLr(), w.stableSteps(), w.cosineDecaySteps(), w.cosineDecayFinalLr(), w.linearDecaySteps(),
                w.linearDecayFinalLr(), warm);
    }
}
