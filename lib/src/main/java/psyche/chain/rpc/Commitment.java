package psyche.chain.rpc;

/** How final a result must be: processed &lt; confirmed &lt; finalized. */
public enum Commitment {
    PROCESSED, CONFIRMED, FINALIZED;

    public String json() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** Whether a status reported as {@code confirmationStatus} satisfies this commitment. */
    public boolean satisfiedBy(String confirmationStatus) {
        if (confirmationStatus == null) return false;
        return valueOf(confirmationStatus.toUpperCase(java.util.Locale.ROOT)).ordinal() >= ordinal();
    }
}
