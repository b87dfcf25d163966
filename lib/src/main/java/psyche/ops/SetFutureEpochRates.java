package psyche.ops;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.TreasurerInstructions.RunUpdate;

/**
 * set-future-epoch-rates: the reward rates the next epoch starts with (copied to current when it enters Warmup).
 * For a treasurer run the rates are given in collateral UI units and converted with the mint's decimals (1 native
 * unit = 1 point); for a plain run they are points.
 */
public final class SetFutureEpochRates {
    private SetFutureEpochRates() {}

    /** The rates sent, in points (= native units), and the transaction. */
    public record Result(Optional<Long> earningPoints, Optional<Long> slashingPoints, Cluster.Sent sent, psyche.display.TokenUnits units) {
        /** In the units the rates were given in (the mint's for a treasurer run, else points). */
        public String render() { return render(units); }

        public String render(psyche.display.TokenUnits in) {
            return sent.render() + "\nFuture epoch rates: earning " + earningPoints.map(in::formatWithName).orElse("(unchanged)")
                    + " shared per epoch, slashing " + slashingPoints.map(in::formatWithName).orElse("(unchanged)") + " per client";
        }
    }

    public static Result execute(Cluster c, Keypair payer, String runId, OptionalLong treasurerIndex,
                                 OptionalDouble earningRateTotalShared, OptionalDouble slashingRatePerClient) {
        return execute(c, payer, runId, treasurerIndex, earningRateTotalShared, slashingRatePerClient, false);
    }

    /** {@code points}: the rates are already points (native units), as the FAQ's {@code --earning-rate} gives them. */
    public static Result execute(Cluster c, Keypair payer, String runId, OptionalLong treasurerIndex,
                                 OptionalDouble earningRateTotalShared, OptionalDouble slashingRatePerClient, boolean points) {
        if (earningRateTotalShared.isEmpty() && slashingRatePerClient.isEmpty()) {
            throw new OpsException(OpsException.Reason.NOTHING_TO_DO, "give --earning-rate-total-shared and/or --slashing-rate-per-client");
        }
        RunSnapshot run = RunSnapshot.fetch(c, runId, treasurerIndex);
        Checks.requireMainAuthority(run, payer, "set the reward rates of");
        int decimals = points ? 0 : run.treasury().map(t -> t.mint().decimals()).orElse(0);
        Optional<Long> earning = earningRateTotalShared.isPresent()
                ? Optional.of(Checks.toNative(earningRateTotalShared.getAsDouble(), decimals, "earning rate")) : Optional.empty();
        Optional<Long> slashing = slashingRatePerClient.isPresent()
                ? Optional.of(Checks.toNative(slashingRatePerClient.getAsDouble(), decimals, "slashing rate")) : Optional.empty();
        Instruction ix = run.isTreasurerRun()
                ? c.treasurer().runUpdate(payer.publicKey(), run.treasury().get().address(), run.instanceAddress(), run.accountAddress(),
                        new RunUpdate(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), earning, slashing,
                                Optional.empty(), Optional.empty()))
                : c.coordinator().setFutureEpochRates(payer.publicKey(), run.instanceAddress(), run.accountAddress(), earning, slashing);
        psyche.display.TokenUnits units = points ? psyche.display.TokenUnits.NATIVE
                : run.treasury().map(t -> psyche.display.TokenUnits.ofMint(t.mint().decimals())).orElse(psyche.display.TokenUnits.POINTS);
        return new Result(earning, slashing, c.send("set-future-epoch-rates of run '" + runId + "'", payer, List.of(ix)), units);
    }
}
