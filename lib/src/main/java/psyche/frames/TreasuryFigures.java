package psyche.frames;

/**
 * A treasurer run's collateral figures in native token units (1 unit per point), as {@code json-dump-run} derives
 * them: {@code funded} is the run's token account balance, {@code claimable} the points earned by all clients,
 * {@code claimed} what has been paid out, {@code burnPerEpoch} the current epoch earning rate.
 */
public record TreasuryFigures(long funded, long claimable, long claimed, long burnPerEpoch) {
    public long unclaimed() { return Math.max(0, claimable - claimed); }

    public long missing() { return Math.max(0, unclaimed() - funded); }

    public long surplus() { return Math.max(0, funded - unclaimed()); }

    /** Epochs the surplus pays for at the current rate; infinite when nothing is burnt per epoch. */
    public double runwayEpochs() {
        return burnPerEpoch == 0 ? Double.POSITIVE_INFINITY : (double) surplus() / (double) burnPerEpoch;
    }
}
