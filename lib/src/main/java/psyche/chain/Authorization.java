package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The authorizer's grant at PDA {@code ["Authorization", grantor, grantee, scope]}. A grantee of
 * {@code 111…1} means everyone; the grantee may name delegate keys that sign in its place.
 */
public record Authorization(int bump, Pubkey grantor, Pubkey grantee, byte[] scope, boolean active,
                            List<Pubkey> delegates, long grantorUpdateUnixTimestamp) {
    public static final byte[] DISCRIMINATOR = Borsh.unhex("0344a8f3c3a8204b");

    public Authorization {
        Objects.requireNonNull(grantor, "grantor");
        Objects.requireNonNull(grantee, "grantee");
        scope = Objects.requireNonNull(scope, "scope").clone();
        delegates = List.copyOf(delegates);
    }

    @Override public byte[] scope() { return scope.clone(); }

    /**
     * As the program checks it: active, same grantor and scope, and the user is the grantee, a delegate, or anyone
     * when the grantee is the system id.
     */
    public boolean isValidFor(Pubkey grantor, Pubkey user, byte[] scope) {
        return active && this.grantor.equals(grantor) && Arrays.equals(this.scope, scope)
                && (grantee.equals(Pubkey.SYSTEM) || grantee.equals(user) || delegates.contains(user));
    }

    public static Authorization decode(byte[] data) {
        Borsh.Reader r = AnchorAccounts.open(data, DISCRIMINATOR, "Authorization");
        return AnchorAccounts.read("Authorization", () -> new Authorization(r.u8("bump"), r.pubkey("grantor"),
                r.pubkey("grantee"), r.bytes("scope"), r.bool("active"),
                r.vec("delegates", 32, x -> x.pubkey("delegate")), r.i64("grantor_update_unix_timestamp")));
    }

    public byte[] encode() {
        return AnchorAccounts.withDiscriminator(DISCRIMINATOR, new Borsh.Writer().u8(bump).pubkey(grantor)
                .pubkey(grantee).bytes(scope).bool(active).vec(delegates, Borsh.Writer::pubkey)
                .i64(grantorUpdateUnixTimestamp));
    }

    @Override public boolean equals(Object o) {
        return o instanceof Authorization a && bump == a.bump && grantor.equals(a.grantor) && grantee.equals(a.grantee)
                && Arrays.equals(scope, a.scope) && active == a.active && delegates.equals(a.delegates)
                && grantorUpdateUnixTimestamp == a.grantorUpdateUnixTimestamp;
    }

    @Override public int hashCode() {
        return Objects.hash(bump, grantor, grantee, Arrays.hashCode(scope), active, delegates, grantorUpdateUnixTimestamp);
    }

    @Override public String toString() {
        return "Authorization[grantor=" + grantor + ", grantee=" + grantee + ", scope="
                + new String(scope, java.nio.charset.StandardCharsets.UTF_8) + " (" + HexFormat.of().formatHex(scope)
                + "), active=" + active + ", delegates=" + delegates + ", grantorUpdateUnixTimestamp="
                + grantorUpdateUnixTimestamp + "]";
    }
}
