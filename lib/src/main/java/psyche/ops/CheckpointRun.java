package psyche.ops;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import psyche.chain.Keypair;
import psyche.config.Checkpoint;
import psyche.config.HubRepo;

/**
 * checkpoint: tells the run where its model now lives (run-manager sends {@code Checkpoint::Hub}; a Gcs bucket is
 * sent as {@code Checkpoint::Gcs}, as Psyche's client does); the signer must be a client of the current epoch.
 */
public final class CheckpointRun {
    private CheckpointRun() {}

    public static Cluster.Sent execute(Cluster c, Keypair payer, String runId, String repo, Optional<String> revision) {
        return execute(c, payer, runId, new Checkpoint.Hub(new HubRepo(repo, revision)));
    }

    public static Cluster.Sent execute(Cluster c, Keypair payer, String runId, Checkpoint checkpoint) {
        RunSnapshot run = RunSnapshot.fetch(c, runId, OptionalLong.empty());
        boolean inEpoch = run.state().coordinator().epochState().clients().stream()
                .anyMatch(cl -> cl.id().signer().equals(payer.publicKey()));
        if (!inEpoch) {
            throw new OpsException(OpsException.Reason.WRONG_SIGNER, "cannot checkpoint run '" + runId + "': wallet "
                    + payer.publicKey() + " is not a client of the current epoch; sign with a training client's key");
        }
        return c.send("checkpoint run '" + runId + "'", payer, List.of(c.coordinator().checkpoint(payer.publicKey(),
                run.instanceAddress(), run.accountAddress(), checkpoint)));
    }
}
