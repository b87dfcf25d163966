package psyche.ops;

import java.util.List;
import java.util.OptionalLong;

import psyche.chain.Keypair;
import psyche.chain.TokenAccount;
import psyche.coordinator.Pubkey;
import psyche.frames.TreasuryFigures;

/**
 * treasurer-top-up-rewards: an SPL {@code transfer_checked} from the wallet's token account to the treasurer Run's
 * token account, then the treasury's figures after it, saying plainly when it is still underfunded.
 */
public final class TopUpRewards {
    private TopUpRewards() {}

    /** An amount either in UI units (converted with the mint's decimals) or in native units. */
    public sealed interface Amount {
        record Ui(double value) implements Amount {}
        record Native(long value) implements Amount {}
        static Amount ui(double v) { return new Ui(v); }
        static Amount nativeUnits(long v) { return new Native(v); }
    }

    /** Figures in native units (1 unit = 1 point). */
    public record Result(String runId, long amount, int decimals, TreasuryFigures after, Cluster.Sent sent) {
        public boolean underfunded() { return after.missing() > 0; }
        /** In the mint's units, as the amount was typed ({@code --collateral-amount 2}). */
        public String render() { return render(psyche.display.TokenUnits.ofMint(decimals)); }

        /** In {@code units} ({@link psyche.display.TokenUnits#NATIVE} for the mint's smallest unit = points). */
        public String render(psyche.display.TokenUnits units) {
            psyche.display.TokenUnits nat = psyche.display.TokenUnits.NATIVE;
            StringBuilder b = new StringBuilder(sent.render()).append("\nTopped up run '").append(runId).append("' treasury by ")
                    .append(units.formatWithName(amount));
            if (!units.equals(nat)) b.append(" (").append(nat.formatWithName(amount)).append(")");
            b.append("; funded ").append(units.formatWithName(after.funded()))
                    .append(", unclaimed ").append(units.formatWithName(after.unclaimed()));
            if (underfunded()) {
                b.append("\nwarning: treasury underfunded: ").append(units.formatWithName(after.unclaimed()))
                        .append(" unclaimed but only ").append(units.formatWithName(after.funded()))
                        .append(" funded; top up at least ").append(units.formatWithName(after.missing())).append(" more");
                if (!units.equals(nat)) b.append(" (").append(nat.formatWithName(after.missing())).append(")");
            } else if (after.burnPerEpoch() > 0) {
                b.append("\nrunway: ").append(String.format(java.util.Locale.ROOT, "%.1f", after.runwayEpochs())).append(" epochs at ")
                        .append(units.formatWithName(after.burnPerEpoch())).append(" per epoch");
            }
            return b.toString();
        }
    }

    public static Result execute(Cluster c, Keypair payer, String runId, OptionalLong treasurerIndex, Amount amount) {
        RunSnapshot run = RunSnapshot.fetch(c, runId, treasurerIndex);
        RunSnapshot.Treasury t = run.treasury().orElseThrow(() -> notTreasurer(runId));
        int decimals = t.mint().decimals();
        long native_ = amount instanceof Amount.Ui u ? Checks.toNative(u.value(), decimals, "--collateral-amount")
                : ((Amount.Native) amount).value();
        if (native_ <= 0) throw new OpsException(OpsException.Reason.INVALID, "the top-up amount must be positive");
        Pubkey mint = t.run().collateralMint();
        Pubkey source = c.pdas().associatedTokenAccount(payer.publicKey(), mint).address();
        long have = c.account(source).map(a -> TokenAccount.decode(a.data()).amount()).orElse(-1L);
        if (have < 0) {
            throw new OpsException(OpsException.Reason.INSUFFICIENT, "wallet " + payer.publicKey() + " has no token account for "
                    + "the collateral mint " + mint + " (expected " + source + "); get some collateral tokens first");
        }
        if (Long.compareUnsigned(have, native_) < 0) {
            throw new OpsException(OpsException.Reason.INSUFFICIENT, "wallet " + payer.publicKey() + " holds " + have
                    + " native units of " + mint + ", fewer than the " + native_ + " to top up");
        }
        Cluster.Sent sent = c.send("treasurer-top-up-rewards of run '" + runId + "'", payer, List.of(c.natives().transferChecked(
                source, mint, t.collateralAccount(), payer.publicKey(), native_, decimals)));
        RunSnapshot after = RunSnapshot.fetch(c, runId, treasurerIndex);
        return new Result(runId, native_, decimals, after.treasuryFigures().orElseThrow(), sent);
    }

    static OpsException notTreasurer(String runId) {
        return new OpsException(OpsException.Reason.NOT_A_TREASURER_RUN, "run '" + runId + "' has no treasurer (it was created"
                + " without --treasurer-collateral-mint), so it has no reward treasury; create a run with a collateral mint");
    }
}
