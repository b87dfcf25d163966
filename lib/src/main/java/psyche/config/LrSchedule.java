package psyche.config;

/**
 * Learning-rate schedules, indexed by coordinator step ({@code shared/coordinator/src/model.rs}). Every warmup is
 * linear from {@code warmupInitLr} to {@code baseLr}. Variant order is the tag order.
 */
public sealed interface LrSchedule {
    int tag();

    /** Learning rate at {@code step}, computed exactly as Psyche does (f64). */
    double lr(long step);

    long warmupSteps();

    double warmupInitLr();

    double baseLr();

    private static double warmup(double init, double base, long step, long warmupSteps) {
        return init + (base - init) * ((double) step / (double) warmupSteps);
    }

    record Constant(double baseLr, double warmupInitLr, long warmupSteps) implements LrSchedule {
        public int tag() { return 0; }

        public double lr(long step) {
            return step < warmupSteps ? warmup(warmupInitLr, baseLr, step, warmupSteps) : baseLr;
        }

        // with*: a copy with one field changed (a notebook changes one value in one call)
        public Constant withBaseLr(double value) { return new Constant(value, warmupInitLr, warmupSteps); }
        public Constant withWarmupInitLr(double value) { return new Constant(baseLr, value, warmupSteps); }
        public Constant withWarmupSteps(long value) { return new Constant(baseLr, warmupInitLr, value); }
    }

    record Linear(double baseLr, double warmupInitLr, double finalLr, long warmupSteps, long totalSteps)
            implements LrSchedule {
        public int tag() { return 1; }

        public double lr(long step) {
            if (step < warmupSteps) return warmup(warmupInitLr, baseLr, step, warmupSteps);
            if (step < totalSteps) {
                return baseLr + (finalLr - baseLr) * ((double) (step - warmupSteps) / (double) (totalSteps - warmupSteps));
            }
            return finalLr;
        }

        // with*: a copy with one field changed (a notebook changes one value in one call)
        public Linear withBaseLr(double value) { return new Linear(value, warmupInitLr, finalLr, warmupSteps, totalSteps); }
        public Linear withWarmupInitLr(double value) { return new Linear(baseLr, value, finalLr, warmupSteps, totalSteps); }
        public Linear withFinalLr(double value) { return new Linear(baseLr, warmupInitLr, value, warmupSteps, totalSteps); }
        public Linear withWarmupSteps(long value) { return new Linear(baseLr, warmupInitLr, finalLr, value, totalSteps); }
        public Linear withTotalSteps(long value) { return new Linear(baseLr, warmupInitLr, finalLr, warmupSteps, value); }
    }

    /** Quirk kept from Psyche: past {@code totalSteps} the cosine is not clamped and rises again. */
    record Cosine(double baseLr, double warmupInitLr, double finalLr, long warmupSteps, long totalSteps)
            implements LrSchedule {
        public int tag() { return 2; }

        public double lr(long step) {
            if (step < warmupSteps) return warmup(warmupInitLr, baseLr, step, warmupSteps);
            double progress = (double) (step - warmupSteps) / (double) (totalSteps - warmupSteps);
            double cosineDecay = 0.5 * (1.0 + Math.cos(Math.PI * progress));
            return finalLr + (baseLr - finalLr) * cosineDecay;
        }

        // with*: a copy with one field changed (a notebook changes one value in one call)
        public Cosine withBaseLr(double value) { return new Cosine(value, warmupInitLr, finalLr, warmupSteps, totalSteps); }
        public Cosine withWarmupInitLr(double value) { return new Cosine(baseLr, value, finalLr, warmupSteps, totalSteps); }
        public Cosine withFinalLr(double value) { return new Cosine(baseLr, warmupInitLr, value, warmupSteps, totalSteps); }
        public Cosine withWarmupSteps(long value) { return new Cosine(baseLr, warmupInitLr, finalLr, value, totalSteps); }
        public Cosine withTotalSteps(long value) { return new Cosine(baseLr, warmupInitLr, finalLr, warmupSteps, value); }
    }

    /** Warmup, stable, cosine decay, linear decay, then constant at {@code linearDecayFinalLr}. */
    record WarmupStableDecay(double baseLr, double warmupInitLr, double cosineDecayFinalLr, double linearDecayFinalLr,
                             long warmupSteps, long stableSteps, long cosineDecaySteps, long linearDecaySteps)
            implements LrSchedule {
        public int tag() { return 3; }

        public double lr(long step) {
            if (step < warmupSteps) return warmup(warmupInitLr, baseLr, step, warmupSteps);
            long stableEnd = warmupSteps + stableSteps;
            if (step < stableEnd) return baseLr;
            long cosineEnd = stableEnd + cosineDecaySteps;
            if (step < cosineEnd) {
                double progress = (double) (step - stableEnd) / (double) cosineDecaySteps;
                return cosineDecayFinalLr + (baseLr - cosineDecayFinalLr) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
            }
            if (step < cosineEnd + linearDecaySteps) {
                double progress = (double) (step - cosineEnd) / (double) linearDecaySteps;
                return cosineDecayFinalLr - (cosineDecayFinalLr - linearDecayFinalLr) * progress;
            }
            return linearDecayFinalLr;
        }
    }
}
