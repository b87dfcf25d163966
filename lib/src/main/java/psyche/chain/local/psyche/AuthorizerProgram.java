package psyche.chain.local.psyche;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import psyche.chain.AnchorError;
import psyche.chain.AuthorizerError;
import psyche.chain.Authorization;
import psyche.chain.AuthorizerInstructions;
import psyche.chain.Discriminators;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.local.AccountRef;
import psyche.chain.local.InvokeContext;
import psyche.chain.local.Program;
import psyche.coordinator.Pubkey;

/**
 * Psyche's authorizer program ({@code solana-authorizer}, spec §3) on the local chain: grants at PDA
 * {@code ["Authorization", grantor, grantee, scope]}, created inactive, activated by the grantor, with delegates
 * named by the grantee, closable once inactive and (no delegates or 30 days since the grantor's last update).
 */
public final class AuthorizerProgram implements Program {
    static final byte[] SEED = "Authorization".getBytes(StandardCharsets.US_ASCII);
    static final long CLOSE_DELAY_SECONDS = 30L * 24 * 3600;

    private final ProgramIds ids;
    private final Map<String, String> byDiscriminator = new HashMap<>();

    public AuthorizerProgram(ProgramIds ids) {
        this.ids = Objects.requireNonNull(ids, "ids");
        for (String name : AuthorizerInstructions.NAMES) {
            byDiscriminator.put(CoordinatorProgram.hex(Discriminators.instruction(name)), name);
        }
    }

    @Override public Pubkey id() { return ids.authorizer(); }
    @Override public String name() { return "psyche-authorizer"; }

    @Override public void execute(InvokeContext ctx, List<AccountRef> accounts, byte[] data) {
        AuthorizerInstructions.Ix ix = CoordinatorProgram.decode(ctx, data, byDiscriminator, AuthorizerInstructions::decodeAnchor);
        ctx.consumeComputeUnits(8_000);
        if (ix instanceof AuthorizerInstructions.Create a) create(ctx, accounts, a);
        else if (ix instanceof AuthorizerInstructions.GrantorUpdate a) grantorUpdate(ctx, accounts, a);
        else if (ix instanceof AuthorizerInstructions.GranteeUpdate a) granteeUpdate(ctx, accounts, a);
        else if (ix instanceof AuthorizerInstructions.Close) close(ctx, accounts);
        else throw Anchor.fail(ctx, AnchorError.InstructionFallbackNotFound);
    }

    /** [payer(s,w), grantor(s), authorization(w, init), system]. */
    private void create(InvokeContext ctx, List<AccountRef> accounts, AuthorizerInstructions.Create a) {
        Anchor.need(ctx, accounts, 4);
        AccountRef payer = accounts.get(0), grantor = accounts.get(1), auth = accounts.get(2), system = accounts.get(3);
        Anchor.signer(ctx, payer, "payer");
        Anchor.signer(ctx, grantor, "grantor");
        Anchor.program(ctx, system, ids.system(), "system_program");
        Anchor.mut(ctx, payer, "payer");
        Anchor.mut(ctx, auth, "authorization");
        byte[] scope = a.scope();
        Pdas.Pda pda = Anchor.findSeeds(ctx, auth, id(), "authorization", SEED, grantor.key().bytes(),
                a.grantee().bytes(), scope);
        // authorization_create.rs processor sets bump, grantor, grantee, scope, active, delegates: the timestamp stays 0
        Authorization created = new Authorization(pda.bump(), grantor.key(), a.grantee(), scope, false, List.of(), 0);
        byte[] encoded = created.encode();
        Anchor.create(ctx, payer, auth, encoded.length, List.of(SEED, grantor.key().bytes(), a.grantee().bytes(), scope,
                new byte[] {(byte) pda.bump()}));
        auth.setData(encoded);
    }

    /** [grantor(s), authorization(w, has_one grantor)]. */
    private void grantorUpdate(InvokeContext ctx, List<AccountRef> accounts, AuthorizerInstructions.GrantorUpdate a) {
        Anchor.need(ctx, accounts, 2);
        AccountRef grantor = accounts.get(0), auth = accounts.get(1);
        Anchor.signer(ctx, grantor, "grantor");
        Authorization current = load(ctx, auth);
        Anchor.mut(ctx, auth, "authorization");
        // `constraint = authorization.grantor == grantor.key()`: ConstraintRaw (authorization_grantor_update.rs)
        Anchor.raw(ctx, current.grantor().equals(grantor.key()), "authorization");
        Authorization next = new Authorization(current.bump(), current.grantor(), current.grantee(), current.scope(),
                a.active(), current.delegates(), ctx.unixTimestamp());
        auth.setData(next.encode());
    }

    /** [payer(s,w), grantee(s), authorization(w, has_one grantee, realloc), system]. */
    private void granteeUpdate(InvokeContext ctx, List<AccountRef> accounts, AuthorizerInstructions.GranteeUpdate a) {
        Anchor.need(ctx, accounts, 4);
        AccountRef payer = accounts.get(0), grantee = accounts.get(1), auth = accounts.get(2), system = accounts.get(3);
        Anchor.signer(ctx, payer, "payer");
        Anchor.signer(ctx, grantee, "grantee");
        Authorization current = load(ctx, auth);
        Anchor.program(ctx, system, ids.system(), "system_program");
        Anchor.mut(ctx, payer, "payer");
        Anchor.mut(ctx, auth, "authorization");
        Anchor.raw(ctx, current.grantee().equals(grantee.key()), "authorization"); // constraint = …: 2003
        List<Pubkey> delegates = new ArrayList<>(a.delegatesClear() ? List.of() : current.delegates());
        delegates.addAll(a.delegatesAdded());
        Authorization next = new Authorization(current.bump(), current.grantor(), current.grantee(), current.scope(),
                current.active(), delegates, current.grantorUpdateUnixTimestamp());
        Anchor.realloc(ctx, payer, auth, next.encode());
    }

    /** [grantor(s), spill(w), authorization(w, has_one grantor, close = spill), system]. */
    private void close(InvokeContext ctx, List<AccountRef> accounts) {
        Anchor.need(ctx, accounts, 4);
        AccountRef grantor = accounts.get(0), spill = accounts.get(1), auth = accounts.get(2), system = accounts.get(3);
        Anchor.signer(ctx, grantor, "grantor");
        Anchor.systemAccount(ctx, spill, "spill"); // SystemAccount: 3011 when not system-owned
        Authorization current = load(ctx, auth);
        Anchor.program(ctx, system, ids.system(), "system_program");
        Anchor.mut(ctx, spill, "spill");
        Anchor.mut(ctx, auth, "authorization");
        Anchor.raw(ctx, current.grantor().equals(grantor.key()), "authorization"); // authorization_close.rs constraint
        if (current.active()) {
            throw Anchor.programError(ctx, AuthorizerError.AuthorizationActiveIsTrue.name(),
                    AuthorizerError.AuthorizationActiveIsTrue.code(), AuthorizerError.AuthorizationActiveIsTrue.message());
        }
        if (!current.delegates().isEmpty()
                && ctx.unixTimestamp() < current.grantorUpdateUnixTimestamp() + CLOSE_DELAY_SECONDS) {
            AuthorizerError e = AuthorizerError.AuthorizationClosingConditionsNotReachedYet;
            throw Anchor.programError(ctx, e.name(), e.code(), e.message());
        }
        Anchor.close(auth, spill);
    }

    private Authorization load(InvokeContext ctx, AccountRef auth) {
        byte[] data = Anchor.typed(ctx, auth, id(), Authorization.DISCRIMINATOR, "authorization");
        try {
            return Authorization.decode(data);
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, "authorization", AnchorError.AccountDidNotDeserialize);
        }
    }
}
