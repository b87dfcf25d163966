package psyche.chain.local;

/** Solana's rent: an account is exempt when it holds two years of rent for its size plus 128 bytes of overhead. */
public final class Rent {
    public static final long LAMPORTS_PER_BYTE_YEAR = 3480;
    public static final long EXEMPTION_YEARS = 2;
    public static final int ACCOUNT_STORAGE_OVERHEAD = 128;
    public static final long LAMPORTS_PER_SIGNATURE = 5000;
    public static final long LAMPORTS_PER_SOL = 1_000_000_000L;

    private Rent() {}

    /** {@code (128 + dataLength) * 3480 * 2}: 890 880 for an empty account, 1 461 600 for a mint. */
    public static long minimumBalance(long dataLength) {
        return (ACCOUNT_STORAGE_OVERHEAD + dataLength) * LAMPORTS_PER_BYTE_YEAR * EXEMPTION_YEARS;
    }
}
