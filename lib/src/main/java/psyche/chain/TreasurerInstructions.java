package psyche.chain;

import psyche.config.CoordinatorConfig;
import psyche.config.LlmModel;
import psyche.config.RunMetadata;
import psyche.coordinator.Progress;
import psyche.coordinator.Pubkey;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static psyche.chain.AccountMeta.*;
import static psyche.chain.CoordinatorInstructions.map;

/** The treasurer program's instructions (spec §5): run_create, run_update, participant_create, participant_claim. */
public final class TreasurerInstructions {
    private final ProgramIds ids;

    public TreasurerInstructions(ProgramIds ids) { this.ids = Objects.requireNonNull(ids, "ids"); }

    public static TreasurerInstructions mainnet() { return new TreasurerInstructions(ProgramIds.MAINNET); }

    public sealed interface Ix extends AnchorIx {}

    /** {@code run_create(params{index u64, run_id String, client_version String, main_authority, join_authority})}. */
    public record RunCreate(long index, String runId, String clientVersion, Pubkey mainAuthority, Pubkey joinAuthority) implements Ix {
        public String name() { return "run_create"; }
        public void writeArgs(Borsh.Writer w) { w.u64(index).string(runId).string(clientVersion).pubkey(mainAuthority).pubkey(joinAuthority); }
        public Map<String, Object> args() { return map("index", Long.toUnsignedString(index), "run_id", runId, "client_version", clientVersion, "main_authority", mainAuthority, "join_authority", joinAuthority); }
    }

    /** {@code run_update(params{metadata?, config?, model?, progress?, earning?, slashing?, paused?, client_version?})}. */
    public record RunUpdate(Optional<RunMetadata> metadata, Optional<CoordinatorConfig> config, Optional<LlmModel> model,
                            Optional<Progress> progress, Optional<Long> epochEarningRateTotalShared,
                            Optional<Long> epochSlashingRatePerClient, Optional<Boolean> paused,
                            Optional<String> clientVersion) implements Ix {
        public RunUpdate {
            Objects.requireNonNull(metadata); Objects.requireNonNull(config); Objects.requireNonNull(model);
            Objects.requireNonNull(progress); Objects.requireNonNull(epochEarningRateTotalShared);
            Objects.requireNonNull(epochSlashingRatePerClient); Objects.requireNonNull(paused);
            Objects.requireNonNull(clientVersion);
        }
        public static RunUpdate none() {
            return new RunUpdate(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
        public String name() { return "run_update"; }
        public void writeArgs(Borsh.Writer w) {
            w.option(metadata, BorshTypes::metadata).option(config, BorshTypes::config).option(model, BorshTypes::model)
                    .option(progress, BorshTypes::progress).option(epochEarningRateTotalShared, Borsh.Writer::u64)
                    .option(epochSlashingRatePerClient, Borsh.Writer::u64).option(paused, Borsh.Writer::bool)
                    .option(clientVersion, Borsh.Writer::string);
        }
        public Map<String, Object> args() {
            return map("metadata", metadata, "config", config, "model", model, "progress", progress,
                    "epoch_earning_rate_total_shared", epochEarningRateTotalShared,
                    "epoch_slashing_rate_per_client", epochSlashingRatePerClient, "paused", paused,
                    "client_version", clientVersion);
        }
    }

    public record ParticipantCreate() implements Ix {
        public String name() { return "participant_create"; }
        public void writeArgs(Borsh.Writer w) {}
        public Map<String, Object> args() { return Map.of(); }
    }

    public record ParticipantClaim(long claimEarnedPoints) implements Ix {
        public String name() { return "participant_claim"; }
        public void writeArgs(Borsh.Writer w) { w.u64(claimEarnedPoints); }
        public Map<String, Object> args() { return map("claim_earned_points", Long.toUnsignedString(claimEarnedPoints)); }
    }

    public static final List<String> NAMES = List.of("run_create", "run_update", "participant_create", "participant_claim");

    /**
     * [payer(s,w), run(w), run_collateral(w), collateral_mint, coordinator_instance(w), coordinator_account(w),
     * coordinator_program, associated_token_program, token_program, system]. Run and its ATA are derived.
     */
    public Instruction runCreate(Pubkey payer, Pubkey collateralMint, Pubkey coordinatorAccount, RunCreate args) {
        Pdas pdas = new Pdas(ids);
        Pubkey run = pdas.treasurerRun(args.index()).address();
        Pubkey runCollateral = pdas.associatedTokenAccount(run, collateralMint).address();
        Pubkey instance = pdas.coordinatorInstance(args.runId()).address();
        return new Instruction(ids.treasurer(), List.of(signerWritable(payer), writable(run), writable(runCollateral),
                readonly(collateralMint), writable(instance), writable(coordinatorAccount), readonly(ids.coordinator()),
                readonly(ids.associatedToken()), readonly(ids.token()), readonly(ids.system())), args.data());
    }

    /** [authority(s), run, coordinator_instance, coordinator_account(w), coordinator_program]. */
    public Instruction runUpdate(Pubkey authority, Pubkey run, Pubkey instance, Pubkey account, RunUpdate args) {
        return new Instruction(ids.treasurer(), List.of(signer(authority), readonly(run), readonly(instance),
                writable(account), readonly(ids.coordinator())), args.data());
    }

    /** [payer(s,w), user(s), run, participant(w, PDA), system]. */
    public Instruction participantCreate(Pubkey payer, Pubkey user, Pubkey run) {
        Pubkey participant = new Pdas(ids).participant(run, user).address();
        return new Instruction(ids.treasurer(), List.of(signerWritable(payer), signer(user), readonly(run),
                writable(participant), readonly(ids.system())), new ParticipantCreate().data());
    }

    /**
     * [user(s), user_collateral(w), run(w), run_collateral(w), coordinator_account, participant(w), token_program];
     * user collateral and run collateral are the ATAs of user and run for {@code collateralMint}.
     */
    public Instruction participantClaim(Pubkey user, Pubkey run, Pubkey collateralMint, Pubkey coordinatorAccount,
                                        long claimEarnedPoints) {
        Pdas pdas = new Pdas(ids);
        return new Instruction(ids.treasurer(), List.of(signer(user),
                writable(pdas.associatedTokenAccount(user, collateralMint).address()), writable(run),
                writable(pdas.associatedTokenAccount(run, collateralMint).address()), readonly(coordinatorAccount),
                writable(pdas.participant(run, user).address()), readonly(ids.token())),
                new ParticipantClaim(claimEarnedPoints).data());
    }

    public static Ix decode(byte[] data) { return decode(data, true); }

    /**
     * As the deployed Anchor program reads its instruction data: trailing bytes ignored, FixedString arguments as raw
     * bytes (no UTF-8 requirement). What the local chain's program uses.
     */
    public static Ix decodeAnchor(byte[] data) { return decode(data, false); }

    private static Ix decode(byte[] data, boolean exact) {
        String name = InstructionNames.match(data, NAMES, "treasurer");
        Borsh.Reader r = new Borsh.Reader(data, 8, "treasurer " + name + " arguments");
        if (!exact) r.rawFixedStrings();
        return InstructionNames.parse(name, r, () -> switch (name) {
            case "run_create" -> new RunCreate(r.u64("index"), r.string("run_id"), r.string("client_version"),
                    r.pubkey("main_authority"), r.pubkey("join_authority"));
            case "run_update" -> new RunUpdate(r.option("metadata", BorshTypes::metadata),
                    r.option("config", BorshTypes::config), r.option("model", BorshTypes::model),
                    r.option("progress", BorshTypes::progress), r.option("earning", x -> x.u64("earning")),
                    r.option("slashing", x -> x.u64("slashing")), r.option("paused", x -> x.bool("paused")),
                    r.option("client_version", x -> x.string("client_version")));
            case "participant_create" -> new ParticipantCreate();
            case "participant_claim" -> new ParticipantClaim(r.u64("claim_earned_points"));
            default -> throw new IllegalStateException(name);
        }, exact);
    }
}
