package psyche.chain;

/**
 * The runtime's money constants (fees, SOL) and Solana's rent-exempt minimum with the default rent parameters: {@code (128 + data_len) × 3480 lamports/byte-year ×
 * 2 years}. A coordinator account (119,160 B) needs 830,244,480 lamports (≈0.83 SOL, as spec §6 says).
 */
public final class Rent {
    private Rent() {}

    /** The fee per signature, in lamports (the local chain charges it; fee = signatures × this). */
    public static final long LAMPORTS_PER_SIGNATURE = 5000;
    public static final long LAMPORTS_PER_SOL = 1_000_000_000L;

    public static final long ACCOUNT_STORAGE_OVERHEAD = 128;
    public static final long LAMPORTS_PER_BYTE_YEAR = 3480;
    public static final long EXEMPTION_THRESHOLD_YEARS = 2;

    public static long exemptMinimum(long dataLen) {
        if (dataLen < 0) throw new IllegalArgumentException("data length cannot be negative: " + dataLen);
        return (ACCOUNT_STORAGE_OVERHEAD + dataLen) * LAMPORTS_PER_BYTE_YEAR * EXEMPTION_THRESHOLD_YEARS;
    }
}
