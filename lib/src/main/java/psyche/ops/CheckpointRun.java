package psyche.ops;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import psyche.chain.Keypair;
import psyche.config.HubRepo;

/** checkpoint: tells the run its model now lives at a Hub repo; the signer must be a client of the current epoch. */
public final class CheckpointRun {
    private CheckpointRun() {}

    public static Cluster.Sent execute(Cluster c, Keypair payer, String runId, String repo, Optional<String> revision) {
        RunSnapshot run = RunSnapshot.fetch(c, runId, OptionalLong.empty());
        boolean inEpoch = run.state().coordinator().epochState().clients().stream()
                .anyMatch(cl -> cl.id().signer().equals(payer.publicKey()));
        if (!inEpoch) {
            throw new OpsException(OpsException.Reason.WRONG_SIGNER, "cannot checkpoint run '" + runId + "': wallet "
                    + payer.publicKey() + " is not a client of the current epoch; sign with a training client's key");
        }
        return c.send("checkpoint run '" + runId + "'", payer, List.of(c.coordinator().checkpoint(payer.publicKey(),
                run.instanceAddress(), run.accountAddress(), new HubRepo(repo, revision))));
    }
}
