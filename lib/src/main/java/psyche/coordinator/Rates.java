package psyche.coordinator;

/** Epoch reward rates in points: shared among an epoch's healthy finishers, and slashed per ejected client. */
public record Rates(long earningRateTotalShared, long slashingRatePerClient) {
    public static final Rates ZERO = new Rates(0, 0);
}
