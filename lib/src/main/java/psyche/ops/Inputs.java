package psyche.ops;

/**
 * Checks of what a user types (amounts, SOL, run ids) before anything is built or sent: one-line reasons, as
 * {@link OpsException} with {@link OpsException.Reason#INVALID} (nothing was signed).
 */
public final class Inputs {
    /** More SOL than exists (about 600 million) is a typo. */
    static final double MAX_SOL = 1e9;
    /** Psyche's run_id seeds PDAs: at most 32 bytes. */
    public static final int MAX_RUN_ID_BYTES = 32;

    private Inputs() {}

    private static OpsException invalid(String message) { return new OpsException(OpsException.Reason.INVALID, message); }

    /** A token amount in the mint's smallest units: positive. */
    public static long positiveAmount(long amount, String what) {
        if (amount <= 0) throw invalid(what + " must be a positive number of the token's smallest units, got " + amount);
        return amount;
    }

    /** SOL as lamports: finite, not negative (zero only when {@code zeroAllowed}), at most a billion SOL. */
    public static long solToLamports(double sol, String what, boolean zeroAllowed) {
        if (!Double.isFinite(sol) || sol < 0 || sol == 0 && !zeroAllowed || sol > MAX_SOL) {
            throw invalid(what + " must be " + (zeroAllowed ? "0 or more" : "more than 0") + " SOL, at most " + (long) MAX_SOL
                    + ", got " + sol);
        }
        long lamports = Math.round(sol * 1e9);
        if (lamports == 0 && sol > 0) throw invalid(what + " of " + sol + " SOL is less than one lamport (1e-9 SOL)");
        return lamports;
    }

    /** A run id: 1 to 32 bytes of printable ASCII (no spaces or control characters, which no one could type back). */
    public static String runId(String runId) {
        if (runId == null || runId.isEmpty()) throw invalid("the run id is empty");
        for (int i = 0; i < runId.length(); i++) {
            char c = runId.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw invalid("run id has " + describe(c) + " at position " + i + ": use letters, digits and printable "
                        + "punctuation only");
            }
        }
        if (runId.length() > MAX_RUN_ID_BYTES) {
            throw invalid("run id is " + runId.length() + " bytes; run ids are at most " + MAX_RUN_ID_BYTES + " bytes");
        }
        return runId;
    }

    private static String describe(char c) {
        if (c == ' ') return "a space";
        if (c < 0x20 || c == 0x7f) return String.format("the control character U+%04X", (int) c);
        return String.format("the non-ASCII character U+%04X", (int) c);
    }
}
