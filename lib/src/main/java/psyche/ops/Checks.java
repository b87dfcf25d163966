package psyche.ops;

import psyche.chain.Keypair;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunState;

/** Pre-flight checks shared by the owner operations: they refuse before anything is signed. */
final class Checks {
    private Checks() {}

    static void requireMainAuthority(RunSnapshot run, Keypair wallet, String what) {
        Pubkey required = run.isTreasurerRun() ? run.treasury().get().run().mainAuthority() : run.instance().mainAuthority();
        if (!required.equals(wallet.publicKey())) {
            throw new OpsException(OpsException.Reason.WRONG_SIGNER, "cannot " + what + " run '" + run.runId()
                    + "': wallet " + wallet.publicKey() + " is not the run's main authority " + required
                    + "; sign with that key (--wallet-private-key-path or RAW_WALLET_PRIVATE_KEY)");
        }
    }

    static void requireHalted(RunSnapshot run, String what) {
        RunState s = run.state().coordinator().runState();
        if (!s.halted()) {
            throw new OpsException(OpsException.Reason.NOT_HALTED, "cannot " + what + " run '" + run.runId()
                    + "' while it is running (state " + s.display() + ", epoch " + run.state().coordinator().progress().epoch()
                    + ", step " + run.state().coordinator().progress().step() + "); pause first: run-manager set-paused --run-id "
                    + run.runId() + " --pause, wait for the epoch to end (state Paused), then retry");
        }
    }

    /** Native token units for a UI amount at {@code decimals}, refusing fractions finer than the mint. */
    /**
     * run-manager's ui_amount_to_native_amount (solana-common/src/utils.rs:1-4): {@code (ui * 10^decimals).round()}
     * in f64, half away from zero. Stricter before signing: a negative, non-finite or over-u64 amount is refused
     * instead of saturating.
     */
    static long toNative(double ui, int decimals, String what) {
        if (!(ui >= 0) || Double.isInfinite(ui)) throw new OpsException(OpsException.Reason.INVALID, what + " must be a non-negative number, got " + ui);
        double scaled = ui * new java.math.BigDecimal(java.math.BigInteger.TEN.pow(decimals)).doubleValue();
        double floor = Math.floor(scaled);
        double rounded = scaled - floor >= 0.5 ? floor + 1 : floor;
        java.math.BigInteger n = new java.math.BigDecimal(rounded).toBigInteger();
        if (n.bitLength() > 64) {
            throw new OpsException(OpsException.Reason.INVALID, what + " " + ui + " is too large for the mint's " + decimals + " decimals");
        }
        return n.longValue();
    }
}
