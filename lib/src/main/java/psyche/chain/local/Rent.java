package psyche.chain.local;

/** The runtime's money constants: fees, SOL, and rent exemption (one formula: {@link psyche.chain.Rent}). */
public final class Rent {
    public static final long LAMPORTS_PER_SIGNATURE = 5000;
    public static final long LAMPORTS_PER_SOL = 1_000_000_000L;

    private Rent() {}

    /** {@code (128 + dataLength) * 3480 * 2}: 890 880 for an empty account, 1 461 600 for a mint. */
    public static long minimumBalance(long dataLength) {
        return psyche.chain.Rent.exemptMinimum(dataLength);
    }
}
