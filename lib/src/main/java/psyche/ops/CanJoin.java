package psyche.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import psyche.chain.Pdas;
import psyche.coordinator.Pubkey;

/**
 * can-join: whether {@code user} holds a valid join authorization for the run (trying the given authorizer, else
 * everyone {@code 111…1} and then the user's own key, as the Psyche client does) and is not already in the epoch.
 */
public final class CanJoin {
    private CanJoin() {}

    /** {@code authorization}: the first valid one found. {@code reasons}: why not, when not. */
    public record Answer(String runId, Pubkey user, boolean canJoin, Optional<Pubkey> authorization, List<String> reasons) {
        public Answer { reasons = List.copyOf(reasons); }
        public String render() {
            return (canJoin ? "yes: " + user + " can join run '" + runId + "' (authorization " + authorization.get() + ")"
                    : "no: " + user + " cannot join run '" + runId + "': " + String.join("; ", reasons));
        }
    }

    public static Answer check(Cluster c, String runId, Pubkey user, Optional<Pubkey> authorizer) {
        return check(c, RunSnapshot.fetch(c, runId, OptionalLong.empty()), user, authorizer);
    }

    public static Answer check(Cluster c, RunSnapshot run, Pubkey user, Optional<Pubkey> authorizer) {
        Pubkey joinAuthority = run.instance().joinAuthority();
        List<Pubkey> grantees = authorizer.map(List::of).orElse(List.of(JoinAuthorizations.EVERYONE, user));
        Optional<Pubkey> valid = Optional.empty();
        for (Pubkey grantee : grantees) {
            Optional<JoinAuthorizations.Found> f = JoinAuthorizations.find(c, joinAuthority, grantee);
            if (f.isPresent() && f.get().authorization().isValidFor(joinAuthority, user, Pdas.Scopes.COORDINATOR_JOIN_RUN)) {
                valid = Optional.of(f.get().address());
                break;
            }
        }
        List<String> reasons = new ArrayList<>();
        if (valid.isEmpty()) {
            reasons.add("no active join authorization from the run's join authority " + joinAuthority + " covers this key (tried grantees "
                    + grantees + "); ask the join authority to run: run-manager join-authorization-create --authorizer " + user
                    + (authorizer.isPresent() ? " (or, if you are a delegate, have the grantee add you with join-authorization-delegate)" : ""));
        }
        boolean inEpoch = run.state().coordinator().epochState().clients().stream().anyMatch(cl -> cl.id().signer().equals(user));
        if (inEpoch) reasons.add("already a client of the current epoch");
        return new Answer(run.runId(), user, reasons.isEmpty(), valid, reasons);
    }
}
