package psyche.chain;

import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.RunMetadata;
import psyche.coordinator.Committee;
import psyche.coordinator.CommitteeProof;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Progress;
import psyche.coordinator.Pubkey;
import psyche.coordinator.Witness;
import psyche.coordinator.WitnessBloom;
import psyche.coordinator.WitnessProof;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static psyche.chain.AccountMeta.*;

/**
 * The coordinator program's instructions (spec §7): typed arguments ({@link Ix}), their Borsh data, the account
 * metas each expects, and the reverse decoding of instruction data.
 */
public final class CoordinatorInstructions {
    private final ProgramIds ids;

    public CoordinatorInstructions(ProgramIds ids) { this.ids = Objects.requireNonNull(ids, "ids"); }

    public static CoordinatorInstructions mainnet() { return new CoordinatorInstructions(ProgramIds.MAINNET); }

    /** One coordinator instruction with its arguments. */
    public sealed interface Ix extends AnchorIx {}

    public record InitCoordinator(Pubkey mainAuthority, Pubkey joinAuthority, String runId, String clientVersion) implements Ix {
        public String name() { return "init_coordinator"; }
        public void writeArgs(Borsh.Writer w) { w.pubkey(mainAuthority).pubkey(joinAuthority).string(runId).string(clientVersion); }
        public Map<String, Object> args() { return map("main_authority", mainAuthority, "join_authority", joinAuthority, "run_id", runId, "client_version", clientVersion); }
    }

    public record FreeCoordinator() implements Ix {
        public String name() { return "free_coordinator"; }
        public void writeArgs(Borsh.Writer w) {}
        public Map<String, Object> args() { return Map.of(); }
    }

    public record Update(Optional<RunMetadata> metadata, Optional<CoordinatorConfig> config, Optional<LlmModel> model,
                         Optional<Progress> progress) implements Ix {
        public Update {
            Objects.requireNonNull(metadata); Objects.requireNonNull(config);
            Objects.requireNonNull(model); Objects.requireNonNull(progress);
        }
        public String name() { return "update"; }
        public void writeArgs(Borsh.Writer w) {
            w.option(metadata, BorshTypes::metadata).option(config, BorshTypes::config).option(model, BorshTypes::model)
                    .option(progress, BorshTypes::progress);
        }
        public Map<String, Object> args() { return map("metadata", metadata, "config", config, "model", model, "progress", progress); }
    }

    public record UpdateClientVersion(String newVersion) implements Ix {
        public String name() { return "update_client_version"; }
        public void writeArgs(Borsh.Writer w) { w.string(newVersion); }
        public Map<String, Object> args() { return map("new_version", newVersion); }
    }

    public record SetFutureEpochRates(Optional<Long> epochEarningRateTotalShared, Optional<Long> epochSlashingRatePerClient) implements Ix {
        public String name() { return "set_future_epoch_rates"; }
        public void writeArgs(Borsh.Writer w) { w.option(epochEarningRateTotalShared, Borsh.Writer::u64).option(epochSlashingRatePerClient, Borsh.Writer::u64); }
        public Map<String, Object> args() { return map("epoch_earning_rate_total_shared", epochEarningRateTotalShared, "epoch_slashing_rate_per_client", epochSlashingRatePerClient); }
    }

    public record SetPaused(boolean paused) implements Ix {
        public String name() { return "set_paused"; }
        public void writeArgs(Borsh.Writer w) { w.bool(paused); }
        public Map<String, Object> args() { return map("paused", paused); }
    }

    public record Tick() implements Ix {
        public String name() { return "tick"; }
        public void writeArgs(Borsh.Writer w) {}
        public Map<String, Object> args() { return Map.of(); }
    }

    public record JoinRun(NodeIdentity clientId) implements Ix {
        public String name() { return "join_run"; }
        public void writeArgs(Borsh.Writer w) { BorshTypes.identity(w, clientId); }
        public Map<String, Object> args() { return map("client_id", Map.of("signer", clientId.signer(), "p2p_identity", clientId.p2pIdentity())); }
    }

    /** {@code witness}: the engine's {@link Witness} as sent, with the round's metadata. */
    public record WitnessIx(Witness witness, WitnessMetadata metadata) implements Ix {
        public WitnessIx {
            Objects.requireNonNull(witness, "witness");
            Objects.requireNonNull(metadata, "metadata");
        }
        public WitnessIx(WitnessProof proof, WitnessBloom participantBloom, WitnessBloom broadcastBloom, byte[] broadcastMerkle,
                         WitnessMetadata metadata) {
            this(new Witness(proof, participantBloom, broadcastBloom, merkle(broadcastMerkle)), metadata);
        }
        public WitnessProof proof() { return witness.proof(); }
        public String name() { return "witness"; }
        public void writeArgs(Borsh.Writer w) {
            writeWitness(w, witness);
            BorshTypes.witnessMetadata(w, metadata);
        }
        public Map<String, Object> args() { return map("proof", witness.proof(), "participant_bloom", witness.participantBloom(), "broadcast_bloom", witness.broadcastBloom(), "broadcast_merkle", HexFormat.of().formatHex(witness.broadcastMerkle()), "metadata", metadata); }
    }

    /** {@code warmup_witness}: the engine's {@link Witness} as sent. */
    public record WarmupWitness(Witness witness) implements Ix {
        public WarmupWitness { Objects.requireNonNull(witness, "witness"); }
        public WarmupWitness(WitnessProof proof, WitnessBloom participantBloom, WitnessBloom broadcastBloom, byte[] broadcastMerkle) {
            this(new Witness(proof, participantBloom, broadcastBloom, merkle(broadcastMerkle)));
        }
        public WitnessProof proof() { return witness.proof(); }
        public String name() { return "warmup_witness"; }
        public void writeArgs(Borsh.Writer w) { writeWitness(w, witness); }
        public Map<String, Object> args() { return map("proof", witness.proof(), "participant_bloom", witness.participantBloom(), "broadcast_bloom", witness.broadcastBloom(), "broadcast_merkle", HexFormat.of().formatHex(witness.broadcastMerkle())); }
    }

    /** The witness fields as both witness instructions carry them: proof, the two blooms, the merkle root. */
    private static void writeWitness(Borsh.Writer w, Witness witness) {
        BorshTypes.proof(w, witness.proof());
        BorshTypes.bloom(w, witness.participantBloom());
        BorshTypes.bloom(w, witness.broadcastBloom());
        w.raw(witness.broadcastMerkle());
    }

    private static Witness readWitness(Borsh.Reader r) {
        return new Witness(BorshTypes.proof(r), BorshTypes.bloom(r), BorshTypes.bloom(r), r.raw(32, "broadcast_merkle"));
    }

    /** health_check: the engine's {@link psyche.coordinator.HealthCheck}, flattened as the program's arguments. */
    /** {@code health_check}: the engine's {@link psyche.coordinator.HealthCheck} as sent (the id and its committee proof). */
    public record HealthCheck(psyche.coordinator.HealthCheck check) implements Ix {
        public HealthCheck { Objects.requireNonNull(check, "check"); }
        public HealthCheck(NodeIdentity id, Committee committee, long position, long index) {
            this(new psyche.coordinator.HealthCheck(id, new CommitteeProof(committee, position, index)));
        }
        /** The engine value the program checks. */
        public psyche.coordinator.HealthCheck toEngine() { return check; }
        public String name() { return "health_check"; }
        public void writeArgs(Borsh.Writer w) {
            BorshTypes.identity(w, check.id());
            w.u8(check.proof().committee().ordinal()).u64(check.proof().position()).u64(check.proof().index());
        }
        public Map<String, Object> args() { return map("id", Map.of("signer", check.id().signer(), "p2p_identity", check.id().p2pIdentity()), "committee", check.proof().committee(), "position", check.proof().position(), "index", check.proof().index()); }
    }

    /**
     * checkpoint(repo: model::Checkpoint): the whole enum, a u8 tag then the payload, as Psyche's client and
     * run-manager send it (solana-coordinator/src/lib.rs:314-321, run-manager/src/commands/run/checkpoint.rs:45-50).
     */
    public record CheckpointIx(Checkpoint repo) implements Ix {
        public CheckpointIx { Objects.requireNonNull(repo, "repo"); }
        /** Checkpoint::Hub(repo), what run-manager's {@code checkpoint} sends. */
        public static CheckpointIx hub(HubRepo repo) { return new CheckpointIx(new Checkpoint.Hub(repo)); }
        public String name() { return "checkpoint"; }
        public void writeArgs(Borsh.Writer w) { BorshTypes.checkpoint(w, repo); }
        public Map<String, Object> args() { return map("repo", repo); }
    }

    static byte[] merkle(byte[] m) {
        if (m == null || m.length != 32) throw new IllegalArgumentException("broadcast_merkle is 32 bytes");
        return m.clone();
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    // ------------------------------------------------------------------ builders (accounts in program order)

    /** [payer(s,w), coordinator_instance(w, PDA), coordinator_account(w), system]. */
    public Instruction initCoordinator(Pubkey payer, Pubkey coordinatorAccount, InitCoordinator args) {
        Pubkey instance = new Pdas(ids).coordinatorInstance(args.runId()).address();
        return new Instruction(ids.coordinator(), List.of(signerWritable(payer), writable(instance),
                writable(coordinatorAccount), readonly(ids.system())), args.data());
    }

    /** [authority(s), spill(w), coordinator_instance(w), coordinator_account(w)]. */
    public Instruction freeCoordinator(Pubkey authority, Pubkey spill, Pubkey instance, Pubkey account) {
        return new Instruction(ids.coordinator(), List.of(signer(authority), writable(spill), writable(instance),
                writable(account)), new FreeCoordinator().data());
    }

    /** update / update_client_version / set_future_epoch_rates / set_paused: [authority(s), instance, account(w)]. */
    public Instruction owner(Pubkey authority, Pubkey instance, Pubkey account, Ix args) {
        if (!(args instanceof Update || args instanceof UpdateClientVersion || args instanceof SetFutureEpochRates
                || args instanceof SetPaused)) {
            throw new IllegalArgumentException(args.name() + " is not an owner instruction");
        }
        return new Instruction(ids.coordinator(), List.of(signer(authority), readonly(instance), writable(account)), args.data());
    }

    /** tick / witness / warmup_witness / health_check / checkpoint: [user(s), instance, account(w)]. */
    public Instruction permissionless(Pubkey user, Pubkey instance, Pubkey account, Ix args) {
        if (!(args instanceof Tick || args instanceof WitnessIx || args instanceof WarmupWitness
                || args instanceof HealthCheck || args instanceof CheckpointIx)) {
            throw new IllegalArgumentException(args.name() + " is not a permissionless client instruction");
        }
        return new Instruction(ids.coordinator(), List.of(signer(user), readonly(instance), writable(account)), args.data());
    }

    /** [user(s), authorization, coordinator_instance, coordinator_account(w)]. */
    public Instruction joinRun(Pubkey user, Pubkey authorization, Pubkey instance, Pubkey account, NodeIdentity clientId) {
        return new Instruction(ids.coordinator(), List.of(signer(user), readonly(authorization), readonly(instance),
                writable(account)), new JoinRun(clientId).data());
    }

    public Instruction update(Pubkey authority, Pubkey instance, Pubkey account, Update args) { return owner(authority, instance, account, args); }
    public Instruction updateClientVersion(Pubkey authority, Pubkey instance, Pubkey account, String version) { return owner(authority, instance, account, new UpdateClientVersion(version)); }
    public Instruction setFutureEpochRates(Pubkey authority, Pubkey instance, Pubkey account, Optional<Long> earning, Optional<Long> slashing) { return owner(authority, instance, account, new SetFutureEpochRates(earning, slashing)); }
    public Instruction setPaused(Pubkey authority, Pubkey instance, Pubkey account, boolean paused) { return owner(authority, instance, account, new SetPaused(paused)); }
    public Instruction tick(Pubkey user, Pubkey instance, Pubkey account) { return permissionless(user, instance, account, new Tick()); }
    public Instruction checkpoint(Pubkey user, Pubkey instance, Pubkey account, Checkpoint repo) { return permissionless(user, instance, account, new CheckpointIx(repo)); }
    public Instruction checkpoint(Pubkey user, Pubkey instance, Pubkey account, HubRepo repo) { return permissionless(user, instance, account, CheckpointIx.hub(repo)); }

    // ------------------------------------------------------------------ decoding

    /** Every coordinator instruction name, in the spec's order. */
    public static final List<String> NAMES = List.of("init_coordinator", "update", "update_client_version",
            "set_future_epoch_rates", "set_paused", "tick", "join_run", "witness", "warmup_witness", "health_check",
            "checkpoint", "free_coordinator");

    /** Parses instruction data (discriminator + Borsh args); anything else is an {@link InstructionDecodeException}. */
    public static Ix decode(byte[] data) { return decode(data, true); }

    /**
     * As the deployed Anchor program reads its instruction data: trailing bytes ignored, FixedString arguments as raw
     * bytes (no UTF-8 requirement). What the local chain's program uses.
     */
    public static Ix decodeAnchor(byte[] data) { return decode(data, false); }

    private static Ix decode(byte[] data, boolean exact) {
        String name = InstructionNames.match(data, NAMES, "coordinator");
        Borsh.Reader r = new Borsh.Reader(data, 8, "coordinator " + name + " arguments");
        if (!exact) r.rawFixedStrings();
        return InstructionNames.parse(name, r, () -> switch (name) {
            case "init_coordinator" -> new InitCoordinator(r.pubkey("main_authority"), r.pubkey("join_authority"),
                    r.string("run_id"), r.string("client_version"));
            case "free_coordinator" -> new FreeCoordinator();
            case "update" -> new Update(r.option("metadata", BorshTypes::metadata), r.option("config", BorshTypes::config),
                    r.option("model", BorshTypes::model), r.option("progress", BorshTypes::progress));
            case "update_client_version" -> new UpdateClientVersion(r.string("new_version"));
            case "set_future_epoch_rates" -> new SetFutureEpochRates(r.option("earning", x -> x.u64("earning")),
                    r.option("slashing", x -> x.u64("slashing")));
            case "set_paused" -> new SetPaused(r.bool("paused"));
            case "tick" -> new Tick();
            case "join_run" -> new JoinRun(BorshTypes.identity(r));
            case "witness" -> new WitnessIx(readWitness(r), BorshTypes.witnessMetadata(r));
            case "warmup_witness" -> new WarmupWitness(readWitness(r));
            case "health_check" -> new HealthCheck(BorshTypes.identity(r),
                    Committee.values()[r.variant("committee", 3)], r.u64("position"), r.u64("index"));
            case "checkpoint" -> new CheckpointIx(BorshTypes.checkpoint(r));
            default -> throw new IllegalStateException(name);
        }, exact);
    }
}
