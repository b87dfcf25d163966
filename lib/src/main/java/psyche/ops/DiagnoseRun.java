package psyche.ops;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import psyche.coordinator.Pubkey;
import psyche.diagnose.Diagnose;
import psyche.diagnose.Diagnosis;
import psyche.display.TokenUnits;
import psyche.history.History;

/** diagnose: the run's state from the chain, its treasury, each given key's join authorization, and history if any. */
public final class DiagnoseRun {
    private DiagnoseRun() {}

    /** Token amounts in the collateral mint's units (points for a run without treasurer). */
    public static Diagnosis execute(Cluster c, String runId, List<Pubkey> keys, Optional<History> history) {
        return execute(c, runId, keys, history, false);
    }

    /** {@code nativeUnits}: token amounts in the mint's smallest unit (= points) instead of the mint's units. */
    public static Diagnosis execute(Cluster c, String runId, List<Pubkey> keys, Optional<History> history, boolean nativeUnits) {
        return execute(c, runId, keys, history, nativeUnits, Instant.now());
    }

    /** {@code now}: the instant timeouts are judged at (a report on a logical clock passes its clock's). */
    public static Diagnosis execute(Cluster c, String runId, List<Pubkey> keys, Optional<History> history, boolean nativeUnits,
                                    Instant now) {
        RunSnapshot run = RunSnapshot.fetch(c, runId, OptionalLong.empty());
        TokenUnits units = nativeUnits ? TokenUnits.NATIVE
                : run.treasury().map(t -> TokenUnits.ofMint(t.mint().decimals())).orElse(TokenUnits.POINTS);
        Diagnose.Facts.Builder facts = Diagnose.Facts.builder().setInstance(run.state()).setNow(now).optUnits(units);
        history.ifPresent(facts::optHistory);
        run.treasuryFigures().ifPresent(facts::optTreasury);
        for (Pubkey k : keys) facts.optJoinAuthorization(k, CanJoin.check(c, run, k, Optional.empty()).authorization().isPresent());
        return Diagnose.diagnose(facts.build());
    }
}
