package psyche.ops;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import psyche.chain.Keypair;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;

/**
 * join_run for a client key (what a training client does each epoch). Checks the authorization first and refuses
 * at once without one: an unauthorized join cannot succeed on retry.
 */
public final class JoinRun {
    private JoinRun() {}

    public static Cluster.Sent execute(Cluster c, Keypair user, String runId, Pubkey p2pIdentity, Optional<Pubkey> authorizer) {
        RunSnapshot run = RunSnapshot.fetch(c, runId, OptionalLong.empty());
        CanJoin.Answer answer = CanJoin.check(c, run, user.publicKey(), authorizer);
        if (answer.authorization().isEmpty()) {
            throw new OpsException(OpsException.Reason.NOT_AUTHORIZED, "not authorized to join run '" + runId + "': "
                    + answer.reasons().get(0) + " (not retried: this cannot succeed until the authorization exists)");
        }
        return c.send("join run '" + runId + "'", user, List.of(c.coordinator().joinRun(user.publicKey(),
                answer.authorization().get(), run.instanceAddress(), run.accountAddress(),
                new NodeIdentity(user.publicKey(), p2pIdentity))));
    }
}
