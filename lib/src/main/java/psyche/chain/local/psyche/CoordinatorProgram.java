package psyche.chain.local.psyche;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import psyche.chain.AnchorError;
import psyche.chain.Authorization;
import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstance;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.CoordinatorInstructions.Ix;
import psyche.chain.Discriminators;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.local.AccountRef;
import psyche.chain.local.InvokeContext;
import psyche.chain.local.Program;
import psyche.coordinator.CommitteeProof;
import psyche.coordinator.Hashing;
import psyche.coordinator.HealthCheck;
import psyche.coordinator.InstanceState;
import psyche.coordinator.ProgramError;
import psyche.coordinator.ProgramException;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunProgram;
import psyche.coordinator.Witness;

/**
 * Psyche's coordinator program ({@code solana-coordinator}, spec §7) on the local chain: Anchor's account checks,
 * then {@link RunProgram} on the state decoded from the 119,160-byte zero-copy account, written back with
 * {@code nonce + 1}. {@code now} is the clock sysvar's unix timestamp, the round seed
 * {@link Hashing#onChainRandomSeed}(timestamp, slot) as on chain.
 */
public final class CoordinatorProgram implements Program {
    private static final byte[] INSTANCE_SEED = "coordinator".getBytes(StandardCharsets.US_ASCII);

    private final ProgramIds ids;
    private final java.util.OptionalLong logicalSeedBase;
    private final Map<String, String> byDiscriminator = new HashMap<>();

    public CoordinatorProgram(ProgramIds ids) { this(ids, java.util.OptionalLong.empty()); }

    /**
     * With {@code logicalSeedBase} present, round seeds come from the run's logical time
     * ({@link Hashing#logicalRoundSeed}(base, epoch, step)) instead of the clock sysvar: an opt-in of the local chain
     * for reproducible reports (which client trains which batch then no longer depends on when a tick landed). Empty:
     * exactly the real program's {@code sha256(unix_timestamp ‖ slot)}.
     */
    public CoordinatorProgram(ProgramIds ids, java.util.OptionalLong logicalSeedBase) {
        this.ids = Objects.requireNonNull(ids, "ids");
        this.logicalSeedBase = Objects.requireNonNull(logicalSeedBase, "logicalSeedBase");
        for (String name : CoordinatorInstructions.NAMES) byDiscriminator.put(hex(Discriminators.instruction(name)), name);
    }

    public static CoordinatorProgram mainnet() { return new CoordinatorProgram(ProgramIds.MAINNET); }

    @Override public Pubkey id() { return ids.coordinator(); }
    @Override public String name() { return "psyche-coordinator"; }

    @Override public void execute(InvokeContext ctx, List<AccountRef> accounts, byte[] data) {
        Ix ix = decode(ctx, data, byDiscriminator, CoordinatorInstructions::decodeAnchor);
        ctx.consumeComputeUnits(20_000);
        try {
            if (ix instanceof CoordinatorInstructions.InitCoordinator a) {
                initCoordinator(ctx, accounts, a);
            } else if (ix instanceof CoordinatorInstructions.FreeCoordinator) {
                freeCoordinator(ctx, accounts);
            } else if (ix instanceof CoordinatorInstructions.Update a) {
                owner(ctx, accounts, true, s -> RunProgram.update(s, a.metadata().orElse(null),
                        a.config().orElse(null), a.model().orElse(null), a.progress().orElse(null)));
            } else if (ix instanceof CoordinatorInstructions.UpdateClientVersion a) {
                // Quirk: the program does not increment the nonce for update_client_version
                owner(ctx, accounts, false, s -> {
                    InstanceState next = RunProgram.updateClientVersion(s, a.newVersion());
                    ctx.log("new version: " + a.newVersion());
                    return next;
                });
            } else if (ix instanceof CoordinatorInstructions.SetFutureEpochRates a) {
                owner(ctx, accounts, true, s -> RunProgram.setFutureEpochRates(s,
                        a.epochEarningRateTotalShared().orElse(null), a.epochSlashingRatePerClient().orElse(null)));
            } else if (ix instanceof CoordinatorInstructions.SetPaused a) {
                owner(ctx, accounts, true, s -> RunProgram.setPaused(s, a.paused(), ctx.unixTimestamp(), seed(ctx, s)));
            } else if (ix instanceof CoordinatorInstructions.JoinRun a) {
                joinRun(ctx, accounts, a);
            } else if (ix instanceof CoordinatorInstructions.Tick) {
                permissionless(ctx, accounts, (s, user) -> RunProgram.tick(s, ctx.unixTimestamp(), seed(ctx, s)));
            } else if (ix instanceof CoordinatorInstructions.WitnessIx a) {
                permissionless(ctx, accounts, (s, user) -> RunProgram.witness(s, user, a.witness(), ctx.unixTimestamp(),
                        seed(ctx, s)));
            } else if (ix instanceof CoordinatorInstructions.WarmupWitness a) {
                permissionless(ctx, accounts, (s, user) -> RunProgram.warmupWitness(s, user, a.witness(), ctx.unixTimestamp(),
                        seed(ctx, s)));
            } else if (ix instanceof CoordinatorInstructions.HealthCheck a) {
                permissionless(ctx, accounts, (s, user) -> RunProgram.healthCheck(s, user, a.toEngine(),
                        ctx.unixTimestamp(), seed(ctx, s)));
            } else if (ix instanceof CoordinatorInstructions.CheckpointIx a) {
                permissionless(ctx, accounts, (s, user) -> RunProgram.checkpoint(s, user, a.repo(),
                        ctx.unixTimestamp(), seed(ctx, s)));
            } else {
                throw Anchor.fail(ctx, AnchorError.InstructionFallbackNotFound);
            }
        } catch (ProgramException e) {
            throw Anchor.programError(ctx, e.error().name(), e.code(), e.error().message());
        }
    }

    /**
     * The on-chain round seed: u64 LE of sha256(unix_timestamp i64 LE ‖ slot u64 LE)[0..8]; in logical-seed mode
     * one derived from the epoch, step and run state the instruction starts from (the same whichever tick lands it).
     */
    long seed(InvokeContext ctx, InstanceState s) {
        if (logicalSeedBase.isEmpty()) return Hashing.onChainRandomSeed(ctx.unixTimestamp(), ctx.slot());
        var progress = s.coordinator().progress();
        return Hashing.logicalRoundSeed(logicalSeedBase.getAsLong(), progress.epoch(), progress.step(), s.coordinator().runState());
    }

    /** The base of logical round seeds, when this program uses them instead of the clock. */
    public java.util.OptionalLong logicalSeedBase() { return logicalSeedBase; }

    // ------------------------------------------------------------------ init / free

    private void initCoordinator(InvokeContext ctx, List<AccountRef> accounts, CoordinatorInstructions.InitCoordinator a) {
        Anchor.need(ctx, accounts, 4);
        AccountRef payer = accounts.get(0), instance = accounts.get(1), account = accounts.get(2), system = accounts.get(3);
        Anchor.signer(ctx, payer, "payer");
        byte[] runId = a.runId().getBytes(StandardCharsets.UTF_8);
        if (runId.length > RunProgram.RUN_ID_MAX_LEN) {
            // on chain the PDA derivation of a longer run id cannot succeed either; the program's own error is clearer
            throw new ProgramException(ProgramError.RunIdInvalidLength, a.runId());
        }
        Anchor.program(ctx, system, ids.system(), "system_program");
        Anchor.mut(ctx, payer, "payer");
        Anchor.mut(ctx, instance, "coordinator_instance");
        Pdas.Pda pda = Anchor.findSeeds(ctx, instance, id(), "coordinator_instance", INSTANCE_SEED, runId);
        Anchor.mut(ctx, account, "coordinator_account");
        if (!account.owner().equals(id())) throw Anchor.fail(ctx, "coordinator_account", AnchorError.ConstraintOwner);
        CoordinatorInstance created = new CoordinatorInstance(pda.bump(), a.mainAuthority(), a.joinAuthority(),
                account.key(), a.runId());
        Anchor.create(ctx, payer, instance, CoordinatorInstance.SPACE, List.of(INSTANCE_SEED, runId, new byte[] {(byte) pda.bump()}));
        byte[] encodedInstance = Arrays.copyOf(created.encode(), CoordinatorInstance.SPACE);
        instance.setData(encodedInstance);
        if (account.dataLength() != CoordinatorAccountCodec.SIZE) {
            throw new ProgramException(ProgramError.CoordinatorAccountIncorrectSize,
                    account.dataLength() + " bytes, expected " + CoordinatorAccountCodec.SIZE);
        }
        for (byte b : account.read(0, 8)) {
            if (b != 0) throw Anchor.fail(ctx, AnchorError.AccountDiscriminatorAlreadySet);
        }
        InstanceState state = RunProgram.create(a.runId(), a.clientVersion());
        account.setData(CoordinatorAccountCodec.encode(new CoordinatorAccount(state, 0)));
    }

    private void freeCoordinator(InvokeContext ctx, List<AccountRef> accounts) {
        Anchor.need(ctx, accounts, 4);
        AccountRef authority = accounts.get(0), spill = accounts.get(1), instance = accounts.get(2), account = accounts.get(3);
        Anchor.signer(ctx, authority, "authority");
        Anchor.systemAccount(ctx, spill, "spill");
        CoordinatorInstance inst = loadInstance(ctx, instance);
        CoordinatorAccount loaded = loadAccount(ctx, account);
        Anchor.mut(ctx, spill, "spill");
        Anchor.mut(ctx, instance, "coordinator_instance");
        instanceSeeds(ctx, instance, inst);
        Anchor.raw(ctx, inst.mainAuthority().equals(authority.key()), "coordinator_instance");
        Anchor.mut(ctx, account, "coordinator_account");
        Anchor.raw(ctx, inst.coordinatorAccount().equals(account.key()), "coordinator_account");
        if (!loaded.state().coordinator().runState().halted()) {
            throw new ProgramException(ProgramError.CloseCoordinatorNotHalted,
                    "run is " + loaded.state().coordinator().runState().display());
        }
        Anchor.close(instance, spill);
        Anchor.close(account, spill);
    }

    // ------------------------------------------------------------------ owner / permissionless / join

    private interface Op { InstanceState apply(InstanceState s); }

    private interface UserOp { InstanceState apply(InstanceState s, Pubkey user); }

    /** [authority(s), coordinator_instance, coordinator_account(w)] with main_authority == authority. */
    private void owner(InvokeContext ctx, List<AccountRef> accounts, boolean incrementNonce, Op op) {
        Anchor.need(ctx, accounts, 3);
        AccountRef authority = accounts.get(0), instance = accounts.get(1), account = accounts.get(2);
        Anchor.signer(ctx, authority, "authority");
        CoordinatorInstance inst = loadInstance(ctx, instance);
        CoordinatorAccount loaded = loadAccount(ctx, account);
        instanceSeeds(ctx, instance, inst);
        Anchor.raw(ctx, inst.mainAuthority().equals(authority.key()), "coordinator_instance");
        Anchor.mut(ctx, account, "coordinator_account");
        Anchor.raw(ctx, inst.coordinatorAccount().equals(account.key()), "coordinator_account");
        store(ctx, account, loaded, op.apply(loaded.state()), incrementNonce);
    }

    /** [user(s), coordinator_instance, coordinator_account(w)]. */
    private void permissionless(InvokeContext ctx, List<AccountRef> accounts, UserOp op) {
        Anchor.need(ctx, accounts, 3);
        AccountRef user = accounts.get(0), instance = accounts.get(1), account = accounts.get(2);
        Anchor.signer(ctx, user, "user");
        CoordinatorInstance inst = loadInstance(ctx, instance);
        CoordinatorAccount loaded = loadAccount(ctx, account);
        instanceSeeds(ctx, instance, inst);
        Anchor.mut(ctx, account, "coordinator_account");
        Anchor.raw(ctx, inst.coordinatorAccount().equals(account.key()), "coordinator_account");
        store(ctx, account, loaded, op.apply(loaded.state(), user.key()), true);
    }

    /** [user(s), authorization, coordinator_instance, coordinator_account(w)]. */
    private void joinRun(InvokeContext ctx, List<AccountRef> accounts, CoordinatorInstructions.JoinRun a) {
        Anchor.need(ctx, accounts, 4);
        AccountRef user = accounts.get(0), authorization = accounts.get(1), instance = accounts.get(2),
                account = accounts.get(3);
        Anchor.signer(ctx, user, "user");
        byte[] authData = Anchor.typed(ctx, authorization, ids.authorizer(), Authorization.DISCRIMINATOR, "authorization");
        Authorization auth;
        try {
            auth = Authorization.decode(authData);
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, "authorization", AnchorError.AccountDidNotDeserialize);
        }
        CoordinatorInstance inst = loadInstance(ctx, instance);
        CoordinatorAccount loaded = loadAccount(ctx, account);
        Anchor.raw(ctx, auth.isValidFor(inst.joinAuthority(), user.key(), Pdas.Scopes.COORDINATOR_JOIN_RUN), "authorization");
        instanceSeeds(ctx, instance, inst);
        Anchor.mut(ctx, account, "coordinator_account");
        Anchor.raw(ctx, inst.coordinatorAccount().equals(account.key()), "coordinator_account");
        InstanceState next = RunProgram.join(loaded.state(), user.key(), a.clientId(), ctx.unixTimestamp(), seed(ctx, loaded.state()));
        store(ctx, account, loaded, next, true);
    }

    // ------------------------------------------------------------------ loading

    private CoordinatorInstance loadInstance(InvokeContext ctx, AccountRef instance) {
        byte[] data = Anchor.typed(ctx, instance, id(), CoordinatorInstance.DISCRIMINATOR, "coordinator_instance");
        try {
            return CoordinatorInstance.decode(data);
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, "coordinator_instance", AnchorError.AccountDidNotDeserialize);
        }
    }

    private void instanceSeeds(InvokeContext ctx, AccountRef instance, CoordinatorInstance inst) {
        byte[] runId = inst.runId().getBytes(StandardCharsets.UTF_8);
        Anchor.seeds(ctx, instance, id(), inst.bump(), "coordinator_instance", INSTANCE_SEED,
                Arrays.copyOf(runId, Math.min(runId.length, 64)));
    }

    /**
     * AccountLoader (lib.rs OwnerCoordinatorAccounts / PermissionlessCoordinatorAccounts): owner then discriminator
     * (a missing or foreign account is 3007, not 3012), then the constraint's load() and version. load() slices
     * size_of::<CoordinatorAccount>() bytes: a shorter account panics (ProgramFailedToComplete); a longer one is read
     * from its prefix.
     */
    static CoordinatorAccount loadAccount(InvokeContext ctx, AccountRef account, psyche.chain.ProgramIds ids) {
        byte[] data = Anchor.loader(ctx, account, ids.coordinator(), CoordinatorAccountCodec.DISCRIMINATOR, "coordinator_account");
        if (data.length < CoordinatorAccountCodec.SIZE) {
            throw new IllegalStateException("range end index " + CoordinatorAccountCodec.SIZE + " out of range for slice of length " + data.length);
        }
        byte[] body = data.length == CoordinatorAccountCodec.SIZE ? data : Arrays.copyOf(data, CoordinatorAccountCodec.SIZE);
        long version = Hashing.readU64le(body, 8);
        Anchor.raw(ctx, version == CoordinatorAccountCodec.VERSION, "coordinator_account");
        try {
            return CoordinatorAccountCodec.decode(body);
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, "coordinator_account", AnchorError.AccountDidNotDeserialize);
        }
    }

    private CoordinatorAccount loadAccount(InvokeContext ctx, AccountRef account) { return loadAccount(ctx, account, ids); }

    private static void store(InvokeContext ctx, AccountRef account, CoordinatorAccount loaded, InstanceState next,
                              boolean incrementNonce) {
        long nonce = incrementNonce ? loaded.nonce() + 1 : loaded.nonce();
        if (incrementNonce) ctx.log("Nonce: " + nonce);
        byte[] encoded = CoordinatorAccountCodec.encode(new CoordinatorAccount(next, nonce));
        if (account.dataLength() > encoded.length) { // a longer account keeps its tail (only the prefix is the struct)
            byte[] whole = account.data();
            System.arraycopy(encoded, 0, whole, 0, encoded.length);
            encoded = whole;
        }
        account.setData(encoded);
    }

    // ------------------------------------------------------------------ instruction dispatch (shared)

    interface Decoder<T> { T decode(byte[] data); }

    /** Anchor's dispatch: missing discriminator (100), unknown one (101), arguments that do not parse (102). */
    static <T extends psyche.chain.AnchorIx> T decode(InvokeContext ctx, byte[] data, Map<String, String> names, Decoder<T> decoder) {
        if (data.length < 8) throw Anchor.fail(ctx, AnchorError.InstructionMissing);
        String name = names.get(hex(Arrays.copyOf(data, 8)));
        if (name == null) throw Anchor.fail(ctx, AnchorError.InstructionFallbackNotFound);
        ctx.log("Instruction: " + Anchor.camel(name));
        try {
            return decoder.decode(data);
        } catch (RuntimeException e) {
            throw Anchor.fail(ctx, AnchorError.InstructionDidNotDeserialize);
        }
    }

    static String hex(byte[] b) { return java.util.HexFormat.of().formatHex(b); }
}
