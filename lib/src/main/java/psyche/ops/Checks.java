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
    static long toNative(double ui, int decimals, String what) {
        if (!(ui >= 0) || Double.isInfinite(ui)) throw new OpsException(OpsException.Reason.INVALID, what + " must be a non-negative number, got " + ui);
        java.math.BigDecimal v = java.math.BigDecimal.valueOf(ui).movePointRight(decimals);
        try {
            return v.setScale(0, java.math.RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            throw new OpsException(OpsException.Reason.INVALID, what + " " + ui + " is finer than the mint's " + decimals
                    + " decimals or too large");
        }
    }
}
