package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static psyche.chain.AccountMeta.*;
import static psyche.chain.CoordinatorInstructions.map;

/** The authorizer program's instructions (spec §3): create, grantor_update, grantee_update, close. */
public final class AuthorizerInstructions {
    private final ProgramIds ids;

    public AuthorizerInstructions(ProgramIds ids) { this.ids = Objects.requireNonNull(ids, "ids"); }

    public static AuthorizerInstructions mainnet() { return new AuthorizerInstructions(ProgramIds.MAINNET); }

    public sealed interface Ix extends AnchorIx {}

    /** {@code authorization_create(params{grantee, scope Vec<u8>})}: creates the grant inactive. */
    public record Create(Pubkey grantee, byte[] scope) implements Ix {
        public Create { scope = Objects.requireNonNull(scope, "scope").clone(); }
        @Override public byte[] scope() { return scope.clone(); }
        public String name() { return "authorization_create"; }
        public void writeArgs(Borsh.Writer w) { w.pubkey(grantee).bytes(scope); }
        public Map<String, Object> args() { return map("grantee", grantee, "scope", new String(scope, java.nio.charset.StandardCharsets.UTF_8) + " (0x" + HexFormat.of().formatHex(scope) + ")"); }
        @Override public boolean equals(Object o) { return o instanceof Create c && grantee.equals(c.grantee) && Arrays.equals(scope, c.scope); }
        @Override public int hashCode() { return Objects.hash(grantee, Arrays.hashCode(scope)); }
    }

    public record GrantorUpdate(boolean active) implements Ix {
        public String name() { return "authorization_grantor_update"; }
        public void writeArgs(Borsh.Writer w) { w.bool(active); }
        public Map<String, Object> args() { return map("active", active); }
    }

    public record GranteeUpdate(boolean delegatesClear, List<Pubkey> delegatesAdded) implements Ix {
        public GranteeUpdate { delegatesAdded = List.copyOf(delegatesAdded); }
        public String name() { return "authorization_grantee_update"; }
        public void writeArgs(Borsh.Writer w) { w.bool(delegatesClear).vec(delegatesAdded, Borsh.Writer::pubkey); }
        public Map<String, Object> args() { return map("delegates_clear", delegatesClear, "delegates_added", delegatesAdded); }
    }

    public record Close() implements Ix {
        public String name() { return "authorization_close"; }
        public void writeArgs(Borsh.Writer w) {}
        public Map<String, Object> args() { return Map.of(); }
    }

    public static final List<String> NAMES = List.of("authorization_create", "authorization_grantor_update",
            "authorization_grantee_update", "authorization_close");

    /** [payer(s,w), grantor(s), authorization(w, PDA), system]. */
    public Instruction create(Pubkey payer, Pubkey grantor, Pubkey grantee, byte[] scope) {
        Pubkey auth = new Pdas(ids).authorization(grantor, grantee, scope).address();
        return new Instruction(ids.authorizer(), List.of(signerWritable(payer), signer(grantor), writable(auth),
                readonly(ids.system())), new Create(grantee, scope).data());
    }

    /** [grantor(s), authorization(w)]. */
    public Instruction grantorUpdate(Pubkey grantor, Pubkey authorization, boolean active) {
        return new Instruction(ids.authorizer(), List.of(signer(grantor), writable(authorization)),
                new GrantorUpdate(active).data());
    }

    /** [payer(s,w), grantee(s), authorization(w), system]. */
    public Instruction granteeUpdate(Pubkey payer, Pubkey grantee, Pubkey authorization, boolean delegatesClear,
                                     List<Pubkey> delegatesAdded) {
        return new Instruction(ids.authorizer(), List.of(signerWritable(payer), signer(grantee), writable(authorization),
                readonly(ids.system())), new GranteeUpdate(delegatesClear, delegatesAdded).data());
    }

    /** [grantor(s), spill(w), authorization(w), system]. */
    public Instruction close(Pubkey grantor, Pubkey spill, Pubkey authorization) {
        return new Instruction(ids.authorizer(), List.of(signer(grantor), writable(spill), writable(authorization),
                readonly(ids.system())), new Close().data());
    }

    public static Ix decode(byte[] data) { return decode(data, true); }

    /**
     * As the deployed Anchor program reads its instruction data: trailing bytes ignored, FixedString arguments as raw
     * bytes (no UTF-8 requirement). What the local chain's program uses.
     */
    public static Ix decodeAnchor(byte[] data) { return decode(data, false); }

    private static Ix decode(byte[] data, boolean exact) {
        String name = InstructionNames.match(data, NAMES, "authorizer");
        Borsh.Reader r = new Borsh.Reader(data, 8, "authorizer " + name + " arguments");
        if (!exact) r.rawFixedStrings();
        return InstructionNames.parse(name, r, () -> switch (name) {
            case "authorization_create" -> new Create(r.pubkey("grantee"), r.bytes("scope"));
            case "authorization_grantor_update" -> new GrantorUpdate(r.bool("active"));
            case "authorization_grantee_update" -> new GranteeUpdate(r.bool("delegates_clear"),
                    r.vec("delegates_added", 32, x -> x.pubkey("delegate")));
            case "authorization_close" -> new Close();
            default -> throw new IllegalStateException(name);
        }, exact);
    }
}
