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
