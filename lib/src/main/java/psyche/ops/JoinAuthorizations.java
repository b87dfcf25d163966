package psyche.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import psyche.chain.Authorization;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.Pdas;
import psyche.coordinator.Pubkey;

/**
 * Join authorizations (the authorizer program, scope {@code CoordinatorJoinRun}): the grantor (a run's join
 * authority) creates and activates one per grantee, {@code 111…1} meaning everyone; the grantee may add delegate
 * keys that sign for it.
 */
public final class JoinAuthorizations {
    private JoinAuthorizations() {}

    /** Everyone: the grantee of a permissionless run's authorization. */
    public static final Pubkey EVERYONE = Pubkey.SYSTEM;

    /** An authorization as read from the chain. */
    public record Found(Pubkey address, Authorization authorization) {
        public String render() {
            Authorization a = authorization;
            StringBuilder b = new StringBuilder("Authorization ").append(address)
                    .append("\n  grantor (join authority): ").append(a.grantor())
                    .append("\n  grantee: ").append(a.grantee()).append(a.grantee().equals(EVERYONE) ? " (everyone)" : "")
                    .append("\n  active: ").append(a.active())
                    .append("\n  delegates: ").append(a.delegates().size());
            for (Pubkey d : a.delegates()) b.append("\n    ").append(d);
            return b.toString();
        }
    }

    /** join-authorization-create: creates (if absent) and activates; empty when it was already active. */
    public static Optional<Cluster.Sent> create(Cluster c, Keypair grantor, Pubkey grantee) {
        Pubkey address = c.pdas().joinAuthorization(grantor.publicKey(), grantee).address();
        Optional<Found> existing = find(c, grantor.publicKey(), grantee);
        if (existing.isPresent() && existing.get().authorization().active()) return Optional.empty();
        List<Instruction> ixs = new ArrayList<>();
        if (existing.isEmpty()) {
            ixs.add(c.authorizer().create(grantor.publicKey(), grantor.publicKey(), grantee, Pdas.Scopes.COORDINATOR_JOIN_RUN));
        }
        ixs.add(c.authorizer().grantorUpdate(grantor.publicKey(), address, true));
        return Optional.of(c.send("join-authorization-create for " + grantee, grantor, ixs));
    }

    /** join-authorization-read. */
    public static Found read(Cluster c, Pubkey joinAuthority, Pubkey grantee) {
        return find(c, joinAuthority, grantee).orElseThrow(() -> new OpsException(OpsException.Reason.NOT_FOUND,
                "no join authorization from " + joinAuthority + " for " + grantee + " (address "
                        + c.pdas().joinAuthorization(joinAuthority, grantee).address() + "); the join authority creates it with "
                        + "run-manager join-authorization-create --authorizer " + grantee));
    }

    public static Optional<Found> find(Cluster c, Pubkey joinAuthority, Pubkey grantee) {
        Pubkey address = c.pdas().joinAuthorization(joinAuthority, grantee).address();
        return c.account(address).map(a -> new Found(address, Authorization.decode(a.data())));
    }

    /** join-authorization-delegate: the grantee (wallet) clears and/or adds the keys that may sign for it. */
    public static Cluster.Sent delegate(Cluster c, Keypair grantee, Pubkey joinAuthority, boolean clear, List<Pubkey> added) {
        Found found = read(c, joinAuthority, grantee.publicKey());
        if (!clear && added.isEmpty()) {
            throw new OpsException(OpsException.Reason.NOTHING_TO_DO, "give --delegates-clear and/or --delegates-added KEY...");
        }
        return c.send("join-authorization-delegate", grantee, List.of(c.authorizer().granteeUpdate(grantee.publicKey(),
                grantee.publicKey(), found.address(), clear, added)));
    }

    /** join-authorization-delete: deactivates (the account stays; run-manager never closes it). */
    public static Cluster.Sent delete(Cluster c, Keypair grantor, Pubkey grantee) {
        Found found = read(c, grantor.publicKey(), grantee);
        if (!found.authorization().active()) {
            throw new OpsException(OpsException.Reason.NOTHING_TO_DO, "the authorization for " + grantee + " is already inactive");
        }
        return c.send("join-authorization-delete for " + grantee, grantor, List.of(c.authorizer().grantorUpdate(
                grantor.publicKey(), found.address(), false)));
    }
}
