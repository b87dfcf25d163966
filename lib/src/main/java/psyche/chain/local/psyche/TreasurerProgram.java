package psyche.chain.local.psyche;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import psyche.chain.AccountMeta;
import psyche.chain.AnchorError;
import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstance;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Discriminators;
import psyche.chain.Participant;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.TreasurerInstructions;
import psyche.chain.TokenAccount;
import psyche.chain.TokenMint;
import psyche.chain.TreasurerError;
import psyche.chain.TreasurerRun;
import psyche.chain.local.AccountRef;
import psyche.chain.local.InvokeContext;
import psyche.chain.local.Program;
import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;
import psyche.coordinator.SolanaClient;

/**
 * Psyche's treasurer program ({@code solana-treasurer}, spec §5) on the local chain: a {@code Run} PDA that is the
 * coordinator's main authority and owns the collateral ATA; updates reach the coordinator by CPI signed with the
 * Run's seeds; participants claim 1 collateral token unit per earned point.
 */
public final class TreasurerProgram implements Program {
    static final byte[] RUN_SEED = "Run".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PARTICIPANT_SEED = "Participant".getBytes(StandardCharsets.US_ASCII);

    private final ProgramIds ids;
    private final Map<String, String> byDiscriminator = new HashMap<>();

    public TreasurerProgram(ProgramIds ids) {
        this.ids = Objects.requireNonNull(ids, "ids");
        for (String name : TreasurerInstructions.NAMES) {
            byDiscriminator.put(CoordinatorProgram.hex(Discriminators.instruction(name)), name);
        }
    }

    @Override public Pubkey id() { return ids.treasurer(); }
    @Override public String name() { return "psyche-treasurer"; }

    @Override public void execute(InvokeContext ctx, List<AccountRef> accounts, byte[] data) {
        TreasurerInstructions.Ix ix = CoordinatorProgram.decode(ctx, data, byDiscriminator, TreasurerInstructions::decodeAnchor);
        ctx.consumeComputeUnits(10_000);
        if (ix instanceof TreasurerInstructions.RunCreate a) runCreate(ctx, accounts, a);
        else if (ix instanceof TreasurerInstructions.RunUpdate a) runUpdate(ctx, accounts, a);
        else if (ix instanceof TreasurerInstructions.ParticipantCreate) participantCreate(ctx, accounts);
        else if (ix instanceof TreasurerInstructions.ParticipantClaim a) participantClaim(ctx, accounts, a);
        else throw Anchor.fail(ctx, AnchorError.InstructionFallbackNotFound);
    }

    private static RuntimeException error(InvokeContext ctx, TreasurerError e) {
        return Anchor.programError(ctx, e.name(), e.code(), e.message());
    }

    /**
     * [payer(s,w), run(w, init), run_collateral(w, init ATA), collateral_mint, coordinator_instance(w),
     * coordinator_account(w), coordinator_program, associated_token_program, token_program, system].
     */
    private void runCreate(InvokeContext ctx, List<AccountRef> accounts, TreasurerInstructions.RunCreate a) {
        Anchor.need(ctx, accounts, 10);
        AccountRef payer = accounts.get(0), run = accounts.get(1), runCollateral = accounts.get(2),
                mint = accounts.get(3), instance = accounts.get(4), account = accounts.get(5),
                coordinatorProgram = accounts.get(6), ataProgram = accounts.get(7), tokenProgram = accounts.get(8),
                system = accounts.get(9);
        Anchor.signer(ctx, payer, "payer");
        loadMint(ctx, mint);
        Anchor.program(ctx, coordinatorProgram, ids.coordinator(), "coordinator_program");
        Anchor.program(ctx, ataProgram, ids.associatedToken(), "associated_token_program");
        Anchor.program(ctx, tokenProgram, ids.token(), "token_program");
        Anchor.program(ctx, system, ids.system(), "system_program");
        Anchor.mut(ctx, payer, "payer");
        Anchor.mut(ctx, run, "run");
        byte[] index = Anchor.u64le(a.index());
        Pdas.Pda runPda = Anchor.findSeeds(ctx, run, id(), "run", RUN_SEED, index);
        List<byte[]> runSeeds = List.of(RUN_SEED, index, new byte[] {(byte) runPda.bump()});
        TreasurerRun created = new TreasurerRun(runPda.bump(), a.index(), a.mainAuthority(), a.joinAuthority(),
                account.key(), instance.key(), mint.key(), 0, 0);
        byte[] encoded = created.encodeAccount(); // space = 8 + size_of::<Run>() = 200
        Anchor.create(ctx, payer, run, encoded.length, runSeeds);
        run.setData(encoded);
        Anchor.mut(ctx, runCollateral, "run_collateral");
        Pdas.Pda ata = Pdas.find(ids.associatedToken(), run.key().bytes(), ids.token().bytes(), mint.key().bytes());
        if (!ata.address().equals(runCollateral.key())) {
            throw Anchor.fail(ctx, "run_collateral", AnchorError.ConstraintAssociated);
        }
        ctx.invoke(ids.associatedToken(), List.of(AccountMeta.writable(payer.key(), true),
                AccountMeta.writable(runCollateral.key(), false), AccountMeta.readonly(run.key(), false),
                AccountMeta.readonly(mint.key(), false), AccountMeta.readonly(ids.system(), false),
                AccountMeta.readonly(ids.token(), false)), new byte[0]);
        Anchor.mut(ctx, instance, "coordinator_instance");
        Anchor.mut(ctx, account, "coordinator_account");
        if (a.runId().getBytes(StandardCharsets.UTF_8).length > 32) throw error(ctx, TreasurerError.RunIdInvalidLength);
        // the coordinator's main authority is the Run PDA: only this program (signing with its seeds) can steer it
        byte[] init = new CoordinatorInstructions.InitCoordinator(run.key(), a.joinAuthority(), a.runId(),
                a.clientVersion()).data();
        ctx.invoke(ids.coordinator(), List.of(AccountMeta.writable(payer.key(), true),
                AccountMeta.writable(instance.key(), false), AccountMeta.writable(account.key(), false),
                AccountMeta.readonly(ids.system(), false)), init, List.of(runSeeds));
    }

    /** [authority(s), run, coordinator_instance, coordinator_account(w), coordinator_program]. */
    private void runUpdate(InvokeContext ctx, List<AccountRef> accounts, TreasurerInstructions.RunUpdate a) {
        Anchor.need(ctx, accounts, 5);
        AccountRef authority = accounts.get(0), run = accounts.get(1), instance = accounts.get(2),
                account = accounts.get(3), coordinatorProgram = accounts.get(4);
        Anchor.signer(ctx, authority, "authority");
        TreasurerRun r = loadRun(ctx, run);
        byte[] instanceData = Anchor.typed(ctx, instance, ids.coordinator(), CoordinatorInstance.DISCRIMINATOR,
                "coordinator_instance");
        Anchor.loader(ctx, account, ids.coordinator(), CoordinatorAccountCodec.DISCRIMINATOR, "coordinator_account");
        Anchor.program(ctx, coordinatorProgram, ids.coordinator(), "coordinator_program");
        Anchor.raw(ctx, r.mainAuthority().equals(authority.key()), "run");
        Anchor.raw(ctx, r.coordinatorInstance().equals(instance.key()), "run");
        Anchor.raw(ctx, r.coordinatorAccount().equals(account.key()), "run");
        Anchor.mut(ctx, account, "coordinator_account");
        if (instanceData.length < 8) throw Anchor.fail(ctx, "coordinator_instance", AnchorError.AccountDidNotDeserialize);
        List<List<byte[]>> signer = List.of(List.of(RUN_SEED, Anchor.u64le(r.index()), new byte[] {(byte) r.bump()}));
        List<AccountMeta> metas = List.of(AccountMeta.readonly(run.key(), true), AccountMeta.readonly(instance.key(), false),
                AccountMeta.writable(account.key(), false));
        if (a.metadata().isPresent() || a.config().isPresent() || a.model().isPresent() || a.progress().isPresent()) {
            ctx.invoke(ids.coordinator(), metas, new CoordinatorInstructions.Update(a.metadata(), a.config(), a.model(),
                    a.progress()).data(), signer);
        }
        if (a.epochEarningRateTotalShared().isPresent() || a.epochSlashingRatePerClient().isPresent()) {
            ctx.invoke(ids.coordinator(), metas, new CoordinatorInstructions.SetFutureEpochRates(
                    a.epochEarningRateTotalShared(), a.epochSlashingRatePerClient()).data(), signer);
        }
        if (a.paused().isPresent()) {
            ctx.invoke(ids.coordinator(), metas, new CoordinatorInstructions.SetPaused(a.paused().get()).data(), signer);
        }
        if (a.clientVersion().isPresent()) {
            ctx.invoke(ids.coordinator(), metas, new CoordinatorInstructions.UpdateClientVersion(
                    a.clientVersion().get()).data(), signer);
        }
    }

    /** [payer(s,w), user(s), run, participant(w, init), system]. */
    private void participantCreate(InvokeContext ctx, List<AccountRef> accounts) {
        Anchor.need(ctx, accounts, 5);
        AccountRef payer = accounts.get(0), user = accounts.get(1), run = accounts.get(2),
                participant = accounts.get(3), system = accounts.get(4);
        Anchor.signer(ctx, payer, "payer");
        Anchor.signer(ctx, user, "user");
        loadRun(ctx, run);
        Anchor.program(ctx, system, ids.system(), "system_program");
        Anchor.mut(ctx, payer, "payer");
        Anchor.mut(ctx, participant, "participant");
        Pdas.Pda pda = Anchor.findSeeds(ctx, participant, id(), "participant", PARTICIPANT_SEED, run.key().bytes(),
                user.key().bytes());
        byte[] encoded = new Participant(pda.bump(), 0, 0).encodeAccount(); // 8 + size_of::<Participant>() = 32
        Anchor.create(ctx, payer, participant, encoded.length, List.of(PARTICIPANT_SEED, run.key().bytes(),
                user.key().bytes(), new byte[] {(byte) pda.bump()}));
        participant.setData(encoded);
    }

    /**
     * [user(s), user_collateral(w), run(w), run_collateral(w), coordinator_account, participant(w), token_program]:
     * claim ≤ earned − claimed, then an SPL transfer Run ATA → user ATA signed by the Run PDA (1 unit per point).
     */
    private void participantClaim(InvokeContext ctx, List<AccountRef> accounts, TreasurerInstructions.ParticipantClaim a) {
        Anchor.need(ctx, accounts, 7);
        AccountRef user = accounts.get(0), userCollateral = accounts.get(1), run = accounts.get(2),
                runCollateral = accounts.get(3), account = accounts.get(4), participant = accounts.get(5),
                tokenProgram = accounts.get(6);
        Anchor.signer(ctx, user, "user");
        TokenAccount userTokens = loadTokenAccount(ctx, userCollateral, "user_collateral");
        TreasurerRun r = loadRun(ctx, run);
        TokenAccount runTokens = loadTokenAccount(ctx, runCollateral, "run_collateral");
        byte[] accountData = Anchor.loader(ctx, account, ids.coordinator(), CoordinatorAccountCodec.DISCRIMINATOR,
                "coordinator_account");
        byte[] participantData = Anchor.typed(ctx, participant, id(), Participant.DISCRIMINATOR, "participant");
        Anchor.program(ctx, tokenProgram, ids.token(), "token_program");
        Anchor.mut(ctx, userCollateral, "user_collateral");
        Anchor.raw(ctx, userTokens.mint().equals(r.collateralMint()), "user_collateral");
        Anchor.raw(ctx, userTokens.owner().equals(user.key()), "user_collateral");
        Anchor.raw(ctx, userTokens.delegate().isEmpty(), "user_collateral");
        Anchor.mut(ctx, run, "run");
        Anchor.raw(ctx, r.coordinatorAccount().equals(account.key()), "run");
        Anchor.mut(ctx, runCollateral, "run_collateral");
        // associated_token::mint / ::authority (Anchor 0.30.1 generate_constraint_associated_token): the token
        // account's owner first (ConstraintTokenOwner 2015), then its address (ConstraintAssociated 2009)
        if (!runTokens.owner().equals(run.key())) throw Anchor.fail(ctx, "run_collateral", AnchorError.ConstraintTokenOwner);
        Pdas.Pda ata = Pdas.find(ids.associatedToken(), run.key().bytes(), ids.token().bytes(), r.collateralMint().bytes());
        if (!ata.address().equals(runCollateral.key())) throw Anchor.fail(ctx, "run_collateral", AnchorError.ConstraintAssociated);
        if (accountData.length < CoordinatorAccountCodec.SIZE) { // load() slices size_of::<CoordinatorAccount>(): a panic
            throw new IllegalStateException("range end index " + CoordinatorAccountCodec.SIZE + " out of range for slice of length " + accountData.length);
        }
        if (accountData.length > CoordinatorAccountCodec.SIZE) accountData = java.util.Arrays.copyOf(accountData, CoordinatorAccountCodec.SIZE);
        Anchor.raw(ctx, Hashing.readU64le(accountData, 8) == CoordinatorAccountCodec.VERSION, "coordinator_account");
        Participant p;
        try {
            p = Participant.decode(participantData);
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, "participant", AnchorError.AccountDidNotDeserialize);
        }
        Anchor.mut(ctx, participant, "participant");
        Anchor.seeds(ctx, participant, id(), p.bump(), "participant", PARTICIPANT_SEED, run.key().bytes(),
                user.key().bytes());
        CoordinatorAccount coordinator;
        try {
            coordinator = CoordinatorAccountCodec.decode(accountData);
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, "coordinator_account", AnchorError.AccountDidNotDeserialize);
        }
        long earned = 0;
        for (SolanaClient c : coordinator.state().clientsState().clients()) {
            if (c.id().signer().equals(user.key())) earned = c.earned();
        }
        long unclaimed = earned - p.claimedEarnedPoints();
        if (Long.compareUnsigned(a.claimEarnedPoints(), unclaimed) > 0 || unclaimed < 0) {
            ctx.log("claim " + Long.toUnsignedString(a.claimEarnedPoints()) + " points > unclaimed " + unclaimed);
            throw error(ctx, TreasurerError.InvalidParameter);
        }
        long amount = a.claimEarnedPoints(); // 1 collateral unit per point: the coordinator's rates set the reward
        participant.setData(new Participant(p.bump(), p.claimedCollateralAmount() + amount,
                p.claimedEarnedPoints() + a.claimEarnedPoints()).encodeAccount());
        run.setData(new TreasurerRun(r.bump(), r.index(), r.mainAuthority(), r.joinAuthority(), r.coordinatorAccount(),
                r.coordinatorInstance(), r.collateralMint(), r.totalClaimedCollateralAmount() + amount,
                r.totalClaimedEarnedPoints() + a.claimEarnedPoints()).encodeAccount());
        byte[] transfer = new byte[9];
        transfer[0] = 3;
        System.arraycopy(Anchor.u64le(amount), 0, transfer, 1, 8);
        ctx.invoke(ids.token(), List.of(AccountMeta.writable(runCollateral.key(), false),
                AccountMeta.writable(userCollateral.key(), false), AccountMeta.readonly(run.key(), true)), transfer,
                List.of(List.of(RUN_SEED, Anchor.u64le(r.index()), new byte[] {(byte) r.bump()})));
    }

    // ------------------------------------------------------------------ loading

    private TreasurerRun loadRun(InvokeContext ctx, AccountRef run) {
        byte[] data = Anchor.typed(ctx, run, id(), TreasurerRun.DISCRIMINATOR, "run");
        try {
            return TreasurerRun.decode(data);
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, "run", AnchorError.AccountDidNotDeserialize);
        }
    }

    private void loadMint(InvokeContext ctx, AccountRef mint) {
        if (mint.owner().equals(Anchor.SYSTEM) && mint.lamports() == 0) throw Anchor.fail(ctx, "collateral_mint", AnchorError.AccountNotInitialized);
        if (!mint.owner().equals(ids.token())) throw Anchor.fail(ctx, "collateral_mint", AnchorError.AccountOwnedByWrongProgram);
        try {
            if (!TokenMint.decode(mint.data()).initialized()) throw new IllegalArgumentException("uninitialized");
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, "collateral_mint", AnchorError.AccountDidNotDeserialize);
        }
    }

    private TokenAccount loadTokenAccount(InvokeContext ctx, AccountRef a, String name) {
        if (a.owner().equals(Anchor.SYSTEM) && a.lamports() == 0) throw Anchor.fail(ctx, name, AnchorError.AccountNotInitialized);
        if (!a.owner().equals(ids.token())) throw Anchor.fail(ctx, name, AnchorError.AccountOwnedByWrongProgram);
        try {
            TokenAccount t = TokenAccount.decode(a.data());
            if (!t.isInitialized()) throw new IllegalArgumentException("uninitialized");
            return t;
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, name, AnchorError.AccountDidNotDeserialize);
        }
    }

}
