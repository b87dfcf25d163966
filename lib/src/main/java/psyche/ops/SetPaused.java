package psyche.ops;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.TreasurerInstructions.RunUpdate;
import psyche.coordinator.RunState;

/**
 * set-paused: pause ({@code set_paused(true)}) or resume. Resuming an Uninitialized run needs a config first; a
 * pause requested during training takes effect at the end of the round (the state then reads Paused).
 */
public final class SetPaused {
    private SetPaused() {}

    public static Cluster.Sent execute(Cluster c, Keypair payer, String runId, OptionalLong treasurerIndex, boolean paused) {
        RunSnapshot run = RunSnapshot.fetch(c, runId, treasurerIndex);
        Checks.requireMainAuthority(run, payer, paused ? "pause" : "resume");
        RunState s = run.state().coordinator().runState();
        if (paused && (s == RunState.Paused || s == RunState.Uninitialized || run.state().coordinator().pendingPause())) {
            throw new OpsException(OpsException.Reason.NOTHING_TO_DO, "run '" + runId + "' is already "
                    + (run.state().coordinator().pendingPause() ? "pausing" : s.display()) + "; nothing to pause");
        }
        if (!paused && !s.halted()) {
            throw new OpsException(OpsException.Reason.NOTHING_TO_DO, "run '" + runId + "' is already running (state "
                    + s.display() + "); nothing to resume");
        }
        if (!paused && s == RunState.Uninitialized && run.state().coordinator().config().totalSteps() == 0) {
            throw new OpsException(OpsException.Reason.INVALID, "run '" + runId + "' has no config yet; load one first: "
                    + "run-manager update-config --run-id " + runId + " --config-path CONFIG.toml");
        }
        Instruction ix = run.isTreasurerRun()
                ? c.treasurer().runUpdate(payer.publicKey(), run.treasury().get().address(), run.instanceAddress(), run.accountAddress(),
                        new RunUpdate(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                                Optional.empty(), Optional.of(paused), Optional.empty()))
                : c.coordinator().setPaused(payer.publicKey(), run.instanceAddress(), run.accountAddress(), paused);
        return c.send((paused ? "pause" : "resume") + " run '" + runId + "'", payer, List.of(ix));
    }
}
