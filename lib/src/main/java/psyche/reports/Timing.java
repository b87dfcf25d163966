package psyche.reports;

/**
 * A number that depends on the machine's speed or the wall clock (tokens/s, seconds): shown with a "(timing)" mark so
 * {@code bin/psyche-notebook --check-reproducible} leaves it out of the comparison of re-runs.
 */
public record Timing(double value, String unit) {
    public static final String MARK = "(timing)";

    @Override public String toString() {
        return Reports.format(value) + (unit == null || unit.isEmpty() ? "" : " " + unit) + " " + MARK;
    }
}
