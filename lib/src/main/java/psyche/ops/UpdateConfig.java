package psyche.ops;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import psyche.chain.CoordinatorInstructions.Update;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.TreasurerInstructions.RunUpdate;
import psyche.config.Change;
import psyche.config.Checkpoint;
import psyche.config.ConfigDiff;
import psyche.config.CoordinatorConfig;
import psyche.config.LlmModel;
import psyche.config.LoadedConfig;
import psyche.config.RunConfig;
import psyche.config.RunConfigs;
import psyche.config.RunMetadata;
import psyche.config.Safety;
import psyche.config.Validation;
import psyche.config.ValidationReport;
import psyche.config.Violation;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.Progress;
import psyche.coordinator.RunState;
import psyche.coordinator.SanityChecks;

/**
 * update-config: validates the TOML locally (every violation listed, nothing signed on an error), shows the diff
 * against the on-chain config, warns about changes unsafe for a run in progress, refuses a config/model/progress
 * change while the run is not halted ("pause first"), and sends {@code update} and/or {@code update_client_version}
 * (or the treasurer's {@code run_update}). Bails out when nothing would change.
 */
public final class UpdateConfig {
    private UpdateConfig() {}

    public record Params(String runId, OptionalLong treasurerIndex, Optional<RunConfig> config,
                         OptionalLong restartFromStep, boolean switchToHub, Optional<String> name,
                         Optional<String> description, OptionalLong numParameters, OptionalLong vocabSize,
                         Optional<String> clientVersion) {
        public Params { Objects.requireNonNull(runId, "runId"); }
        public static Params of(String runId) {
            return new Params(runId, OptionalLong.empty(), Optional.empty(), OptionalLong.empty(), false, Optional.empty(),
                    Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty());
        }
        public Params withConfig(RunConfig c) { return new Params(runId, treasurerIndex, Optional.of(c), restartFromStep, switchToHub, name, description, numParameters, vocabSize, clientVersion); }
        /** Reads and checks the TOML at {@code path}; every problem is listed in one {@link OpsException}. */
        public Params withConfigPath(Path path) { return withConfig(load(path)); }
        public Params withRestartFromStep(long step) { return new Params(runId, treasurerIndex, config, OptionalLong.of(step), switchToHub, name, description, numParameters, vocabSize, clientVersion); }
        public Params withSwitchToHub(boolean b) { return new Params(runId, treasurerIndex, config, restartFromStep, b, name, description, numParameters, vocabSize, clientVersion); }
        public Params withName(String s) { return new Params(runId, treasurerIndex, config, restartFromStep, switchToHub, Optional.of(s), description, numParameters, vocabSize, clientVersion); }
        public Params withDescription(String s) { return new Params(runId, treasurerIndex, config, restartFromStep, switchToHub, name, Optional.of(s), numParameters, vocabSize, clientVersion); }
        public Params withNumParameters(long n) { return new Params(runId, treasurerIndex, config, restartFromStep, switchToHub, name, description, OptionalLong.of(n), vocabSize, clientVersion); }
        public Params withVocabSize(long n) { return new Params(runId, treasurerIndex, config, restartFromStep, switchToHub, name, description, numParameters, OptionalLong.of(n), clientVersion); }
        public Params withClientVersion(String v) { return new Params(runId, treasurerIndex, config, restartFromStep, switchToHub, name, description, numParameters, vocabSize, Optional.of(v)); }
        public Params withTreasurerIndex(long i) { return new Params(runId, OptionalLong.of(i), config, restartFromStep, switchToHub, name, description, numParameters, vocabSize, clientVersion); }
    }

    /**
     * The changes sent, warnings about them, and the transaction ({@code sent} null for a dry run, see {@link #plan});
     * {@code firstConfig}: the run was Uninitialized, so the changes are its first config, none of them unsafe.
     */
    public record Result(List<Change> changes, List<String> warnings, Cluster.Sent sent, boolean firstConfig) {
        public Result { changes = List.copyOf(changes); warnings = List.copyOf(warnings); }
        public Result(List<Change> changes, List<String> warnings, Cluster.Sent sent) { this(changes, warnings, sent, false); }
        public boolean dryRun() { return sent == null; }
        public String render() {
            StringBuilder b = new StringBuilder();
            if (!changes.isEmpty()) b.append(firstConfig ? ConfigDiff.renderInitial(changes) : ConfigDiff.render(changes)).append('\n');
            for (String w : warnings) b.append("warning: ").append(w).append('\n');
            return b.append(sent == null ? "dry run: nothing was signed or sent" : sent.render()).toString();
        }
    }

    /** A TOML run config, read leniently and validated: any error refuses with every violation listed. */
    public static RunConfig load(Path path) {
        LoadedConfig loaded = RunConfigs.load(path);
        if (loaded.hasErrors() || loaded.config().isEmpty()) {
            throw new OpsException(OpsException.Reason.INVALID, "config " + path + " cannot be used (nothing was signed);"
                    + " fix every error" + (loaded.config().isPresent() ? ", or pass --force to send what Psyche's program accepts" : "")
                    + ":\n" + ValidationReport.of(loaded.violations()).render());
        }
        return loaded.config().get();
    }

    /**
     * With {@code force}: reads any file that maps onto the schema, keeping what our reader is stricter about than
     * Psyche's serde (unknown keys) as warnings; {@link #execute(Cluster, Keypair, Params, boolean)} then checks it.
     */
    public static RunConfig load(Path path, boolean force) {
        if (!force) return load(path);
        LoadedConfig loaded = RunConfigs.load(path);
        if (loaded.config().isEmpty()) {
            throw new OpsException(OpsException.Reason.INVALID, "config " + path + " cannot be used even with --force"
                    + " (nothing was signed):\n" + ValidationReport.of(loaded.violations()).render());
        }
        return loaded.config().get();
    }

    public static Result execute(Cluster c, Keypair payer, Params p) { return execute(c, payer, p, false); }

    /** The program's own accept/reject rules (instance_state.rs:302-322), in its order. */
    static List<String> programChecks(RunConfig rc) {
        List<String> v = new ArrayList<>(SanityChecks.config(rc.config(), null));
        if (v.isEmpty()) v.addAll(SanityChecks.model(rc.model()));
        if (v.isEmpty()) {
            try {
                v.addAll(SanityChecks.coldStart(rc.config(), rc.model()));
            } catch (ArithmeticException e) {
                v.add("the cold-start check panics: " + e.getMessage());
            }
        }
        return v;
    }

    /**
     * {@code force}: our rules stricter than Psyche's (lint rules such as verification_percent = 0, LR schedule
     * lengths) become warnings; what Psyche's program itself checks (CoordinatorConfig::check, Model::check, the
     * cold-start check: {@link SanityChecks}) still refuses, so --force sends only what Psyche would accept.
     */
    public static Result execute(Cluster c, Keypair payer, Params p, boolean force) {
        return execute(c, payer, p, force, false);
    }

    /** Everything {@link #execute} checks and shows, without signing or sending ({@code update-config --dry-run}). */
    public static Result plan(Cluster c, Keypair payer, Params p) { return plan(c, payer, p, false); }

    /** As {@link #plan(Cluster, Keypair, Params)}, with {@code --force}'s rules. */
    public static Result plan(Cluster c, Keypair payer, Params p, boolean force) {
        return execute(c, payer, p, force, true);
    }

    private static Result execute(Cluster c, Keypair payer, Params p, boolean force, boolean dryRun) {
        List<String> warnings = new ArrayList<>();
        Optional<RunConfig> newConfig = p.config();
        if (newConfig.isPresent()) {
            ValidationReport report = Validation.check(newConfig.get());
            if (!report.isValid() && !force) {
                throw new OpsException(OpsException.Reason.INVALID, "config for run '" + p.runId()
                        + "' fails validation (nothing was signed); fix every error, or pass --force to send what"
                        + " Psyche's program accepts:\n" + report.render());
            }
            if (force) {
                List<String> psyche = programChecks(newConfig.get());
                if (!psyche.isEmpty()) {
                    throw new OpsException(OpsException.Reason.INVALID, "config for run '" + p.runId()
                            + "' is rejected by Psyche's program too, so even --force does not send it (nothing was signed): "
                            + String.join("; ", psyche));
                }
                for (Violation e : report.errors()) warnings.add("--force: sending despite " + e.render());
            }
            for (Violation w : report.warnings()) warnings.add(w.render());
        }
        p.clientVersion().ifPresent(v -> {
            ValidationReport r = Validation.checkClientVersion(v);
            if (!r.isValid()) throw new OpsException(OpsException.Reason.INVALID, "client version: " + r.render());
        });

        RunSnapshot run = RunSnapshot.fetch(c, p.runId(), p.treasurerIndex());
        Checks.requireMainAuthority(run, payer, "update the config of");
        CoordinatorState current = run.state().coordinator();
        RunConfig onChain = new RunConfig(current.config(), current.model());

        // what the update carries: start from the chain, apply each option
        CoordinatorConfig config = newConfig.map(RunConfig::config).orElse(current.config());
        LlmModel model = newConfig.map(RunConfig::model).orElse(current.model());
        if (p.switchToHub()) {
            Checkpoint cp = model.checkpoint();
            if (cp instanceof Checkpoint.P2P x) model = model.withCheckpoint(new Checkpoint.Hub(x.repo()));
            else if (cp instanceof Checkpoint.Dummy x) model = model.withCheckpoint(new Checkpoint.Hub(x.repo()));
            else if (!(cp instanceof Checkpoint.Hub)) {
                throw new OpsException(OpsException.Reason.INVALID, "--switch-to-hub needs a P2P, Dummy or Hub checkpoint; the run's is "
                        + cp.getClass().getSimpleName());
            }
        }
        RunConfig target = new RunConfig(config, model);
        List<Change> changes = new ArrayList<>(ConfigDiff.diff(onChain, target));
        boolean sendConfig = !target.config().equals(onChain.config());
        boolean sendModel = !target.model().equals(onChain.model());

        Optional<Progress> progress = Optional.empty();
        if (p.restartFromStep().isPresent()) {
            long step = p.restartFromStep().getAsLong();
            if (step <= 0) throw new OpsException(OpsException.Reason.INVALID, "--restart-from-step must be > 0, got " + step);
            Progress np = new Progress(current.progress().epoch(), step, config.dataIndexForStep(step, model.maxSeqLen()));
            changes.addAll(ConfigDiff.diff(current.progress(), np));
            progress = Optional.of(np);
        }

        RunMetadata m = run.state().metadata();
        RunMetadata nm = new RunMetadata(p.name().orElse(m.name()), p.description().orElse(m.description()),
                p.numParameters().orElse(m.numParameters()), p.vocabSize().orElse(m.vocabSize()));
        Optional<RunMetadata> metadata = Optional.empty();
        if (!nm.equals(m)) {
            ValidationReport r = Validation.checkMetadata(nm);
            if (!r.isValid()) throw new OpsException(OpsException.Reason.INVALID, "metadata: " + r.render());
            changes.addAll(ConfigDiff.diff(m, nm));
            metadata = Optional.of(nm);
        }
        Optional<String> clientVersion = p.clientVersion().filter(v -> !v.equals(run.state().clientVersion()));

        boolean needsHalted = sendConfig || sendModel || progress.isPresent() || clientVersion.isPresent();
        if (!needsHalted && metadata.isEmpty()) {
            throw new OpsException(OpsException.Reason.NOTHING_TO_DO, "nothing to update for run '" + p.runId()
                    + "': the given config, metadata and client version equal what is on chain");
        }
        if (needsHalted) Checks.requireHalted(run, "update the config, model, progress or client version of");
        if (current.runState() == RunState.Finished) {
            throw new OpsException(OpsException.Reason.INVALID, "run '" + p.runId() + "' is Finished and cannot be updated; create a new run");
        }
        if (current.runState() != RunState.Uninitialized && ConfigDiff.worst(changes) == Safety.UNSAFE_MID_RUN) {
            warnings.add("changes marked UNSAFE_MID_RUN break clients that already hold the model or data of this run"
                    + " (seeds' FAQ: what should not be changed mid-run); consider a new run instead");
        }

        Optional<CoordinatorConfig> cfg = sendConfig ? Optional.of(config) : Optional.empty();
        Optional<LlmModel> mdl = sendModel ? Optional.of(model) : Optional.empty();
        List<Instruction> ixs = new ArrayList<>();
        if (run.isTreasurerRun()) {
            ixs.add(c.treasurer().runUpdate(payer.publicKey(), run.treasury().get().address(), run.instanceAddress(),
                    run.accountAddress(), new RunUpdate(metadata, cfg, mdl, progress, Optional.empty(), Optional.empty(),
                            Optional.empty(), clientVersion)));
        } else {
            if (metadata.isPresent() || cfg.isPresent() || mdl.isPresent() || progress.isPresent()) {
                ixs.add(c.coordinator().update(payer.publicKey(), run.instanceAddress(), run.accountAddress(),
                        new Update(metadata, cfg, mdl, progress)));
            }
            clientVersion.ifPresent(v -> ixs.add(c.coordinator().updateClientVersion(payer.publicKey(), run.instanceAddress(),
                    run.accountAddress(), v)));
        }
        boolean firstConfig = current.runState() == RunState.Uninitialized;
        if (dryRun) return new Result(changes, warnings, null, firstConfig);
        Cluster.Sent sent = c.send("update-config of run '" + p.runId() + "'", payer, ixs);
        return new Result(changes, warnings, sent, firstConfig);
    }
}
