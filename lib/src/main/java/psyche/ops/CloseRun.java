package psyche.ops;

import java.util.List;
import java.util.OptionalLong;

import psyche.chain.Keypair;

/** close-run: {@code free_coordinator}, returning both accounts' rent to the wallet. Halted runs only. */
public final class CloseRun {
    private CloseRun() {}

    public static Cluster.Sent execute(Cluster c, Keypair payer, String runId) {
        RunSnapshot run = RunSnapshot.fetch(c, runId, OptionalLong.empty());
        if (run.isTreasurerRun()) {
            throw new OpsException(OpsException.Reason.WRONG_SIGNER, "run '" + runId + "' is a treasurer run: its coordinator's"
                    + " main authority is the treasurer Run " + run.treasury().get().address() + ", which has no close instruction;"
                    + " pause it instead (set-paused --pause)");
        }
        Checks.requireMainAuthority(run, payer, "close");
        Checks.requireHalted(run, "close");
        return c.send("close-run '" + runId + "'", payer, List.of(c.coordinator().freeCoordinator(payer.publicKey(),
                payer.publicKey(), run.instanceAddress(), run.accountAddress())));
    }
}
