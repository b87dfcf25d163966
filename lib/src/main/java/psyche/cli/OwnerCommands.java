package psyche.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import psyche.chain.Keypair;
import psyche.coordinator.Pubkey;
import psyche.diagnose.Diagnosis;
import psyche.history.HistoryStore;
import psyche.ops.CanJoin;
import psyche.ops.CheckpointRun;
import psyche.ops.ClaimRewards;
import psyche.ops.CloseRun;
import psyche.ops.Cluster;
import psyche.ops.CreateRun;
import psyche.ops.DiagnoseRun;
import psyche.ops.JoinAuthorizations;
import psyche.ops.Inputs;
import psyche.ops.JsonDumps;
import psyche.ops.ListRuns;
import psyche.ops.OpsException;
import psyche.ops.SetFutureEpochRates;
import psyche.display.TokenUnits;
import psyche.ops.SetPaused;
import psyche.ops.TestTokens;
import psyche.ops.TickRun;
import psyche.ops.TopUpRewards;
import psyche.ops.UpdateConfig;

/**
 * run-manager's owner subcommands (spec §6), each mapping its flags onto one {@code psyche.ops} operation and
 * printing what it returns. Flags read the environment (UPPER_SNAKE) like run-manager's.
 */
public final class OwnerCommands {
    private OwnerCommands() {}

    /** run-manager's {@code Option<u64>} options: the full unsigned range, one-line error otherwise. */
    static final class U64 implements picocli.CommandLine.ITypeConverter<Long> {
        @Override public Long convert(String value) {
            try {
                return Long.parseUnsignedLong(value.trim());
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a u64 (0 to 18446744073709551615)");
            }
        }
    }

    /** Shared plumbing: the common options, the output, and the name the CLI was started under. */
    abstract static class Base implements Callable<Integer> {
        @Mixin ClusterOptions cluster;
        @Spec CommandSpec spec;

        PrintWriter out() { return spec.commandLine().getOut(); }

        /** True when started as {@code psyche-solana-client}: the FAQ gives token amounts and rates in native units. */
        boolean nativeUnitsByName() { return spec.root().name().equals("psyche-solana-client"); }

        /** Token amounts in text output: native units when asked ({@code --native-units}) or under psyche-solana-client. */
        boolean native_(boolean nativeUnitsOption) { return nativeUnitsOption || nativeUnitsByName(); }

        String runId(String runId) {
            if (runId == null || runId.isBlank()) throw new ParameterException(spec.commandLine(), "Missing required option: '--run-id=<runId>' (or env RUN_ID)");
            return Inputs.runId(runId);
        }

        /** clap's Vec env without a value_delimiter: the whole variable is one value. */
        static List<String> envList(String name) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? List.of() : List.of(v.trim());
        }

        static OptionalLong opt(Long v) { return v == null ? OptionalLong.empty() : OptionalLong.of(v); }
        static OptionalDouble optD(Double v) { return v == null ? OptionalDouble.empty() : OptionalDouble.of(v); }

        @Override public Integer call() {
            try (Cluster c = cluster.cluster()) {
                return run(c);
            }
        }

        abstract Integer run(Cluster c);

        Integer withWallet(Cluster c, java.util.function.Function<Keypair, String> op) {
            try (Keypair w = cluster.wallet()) {
                out().println(op.apply(w));
                out().flush();
                return 0;
            }
        }
    }

    @Command(name = "create-run", mixinStandardHelpOptions = true, description = "Create a run (Uninitialized, paused); main authority = the wallet.")
    static final class CreateRunCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "run id, at most 32 bytes (env RUN_ID)") String runId;
        @Option(names = {"-c", "--client-version"}, defaultValue = "${env:CLIENT_VERSION}", required = true, description = "client image tag, sha256:… digest, or 'test'") String clientVersion;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}", converter = U64.class, description = "treasurer run index (default: derived from the run id, as run-manager does; env TREASURER_INDEX)") Long treasurerIndex;
        @Option(names = "--treasurer-collateral-mint", defaultValue = "${env:TREASURER_COLLATERAL_MINT}", description = "SPL mint of the reward collateral: makes a treasurer run") String mint;
        // run/create_run.rs:28-29: --join-authority reads no environment
        @Option(names = "--join-authority", description = "key whose authorizations admit clients (default: the wallet)") String joinAuthority;

        Integer run(Cluster c) {
            CreateRun.Params p = new CreateRun.Params(runId(runId), clientVersion, Optional.ofNullable(joinAuthority).map(Pubkey::fromBase58),
                    opt(treasurerIndex), Optional.ofNullable(mint).map(Pubkey::fromBase58));
            return withWallet(c, w -> CreateRun.execute(c, w, p).render());
        }
    }

    @Command(name = "close-run", mixinStandardHelpOptions = true, description = "Close a halted run and return its rent to the wallet.")
    static final class CloseRunCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;

        Integer run(Cluster c) { return withWallet(c, w -> CloseRun.execute(c, w, runId(runId)).render() + "\nClosed run '" + runId + "'"); }
    }

    @Command(name = "update-config", mixinStandardHelpOptions = true, description = "Validate a config locally, show the diff, and update the run (halted runs only, except metadata).")
    static final class UpdateConfigCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}", converter = U64.class, description = "treasurer run index (default: derived from the run id, as run-manager does; env TREASURER_INDEX)") Long treasurerIndex;
        @Option(names = "--config-path", defaultValue = "${env:CONFIG_PATH}", description = "run config TOML") Path configPath;
        @Option(names = "--restart-from-step", defaultValue = "${env:RESTART_FROM_STEP}", description = "set the run's progress back to this step (paused runs)") Long restartFromStep;
        @Option(names = "--switch-to-hub", defaultValue = "${env:SWITCH_TO_HUB}", description = "P2P/Dummy checkpoint → Hub") Boolean switchToHub;
        // metadata: run-manager reads no environment for these (update_config.rs:30-39): a stray NAME must not rename a run
        @Option(names = "--name", description = "run name shown to clients (metadata, any time)") String name;
        @Option(names = "--description", description = "run description (metadata, any time)") String description;
        @Option(names = "--num-parameters", description = "model parameter count (metadata, any time)") Long numParameters;
        @Option(names = "--vocab-size", description = "tokenizer vocabulary size (metadata, any time)") Long vocabSize;
        @Option(names = "--client-version", defaultValue = "${env:CLIENT_VERSION}", description = "client version clients must run (paused runs)") String clientVersion;
        @Option(names = "--force", description = "send a config our stricter checks refuse (unknown keys, lint rules) when Psyche's program accepts it")
        boolean force;
        @Option(names = "--dry-run", description = "validate and print the diff and warnings; sign and send nothing") boolean dryRun;

        Integer run(Cluster c) {
            UpdateConfig.Params p = new UpdateConfig.Params(runId(runId), opt(treasurerIndex),
                    Optional.ofNullable(configPath).map(path -> UpdateConfig.load(path, force)), opt(restartFromStep),
                    Boolean.TRUE.equals(switchToHub), Optional.ofNullable(name), Optional.ofNullable(description),
                    opt(numParameters), opt(vocabSize), Optional.ofNullable(clientVersion));
            String ignored = "";
            if (force && configPath != null) { // what the reader refused and --force lets through (unknown keys)
                StringBuilder b = new StringBuilder();
                for (psyche.config.Violation v : psyche.config.RunConfigs.load(configPath).violations()) {
                    if (v.isError()) b.append("warning: --force: sending despite ").append(v.render()).append('\n');
                }
                ignored = b.toString();
            }
            String prefix = ignored;
            return withWallet(c, w -> prefix + (dryRun ? UpdateConfig.plan(c, w, p, force) : UpdateConfig.execute(c, w, p, force)).render());
        }
    }

    @Command(name = "set-paused", mixinStandardHelpOptions = true, description = "Pause (default, or --pause) or resume (--resume) a run.")
    static final class SetPausedCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}", converter = U64.class, description = "treasurer run index (default: derived from the run id, as run-manager does; env TREASURER_INDEX)") Long treasurerIndex;
        // run/set_paused.rs:16-17: --resume, env RESUME
        @Option(names = "--resume", defaultValue = "${env:RESUME}", description = "unpause (env RESUME)") Boolean resumeFlag;
        @Option(names = "--pause", description = "pause (the default)") boolean pause;

        Integer run(Cluster c) {
            boolean resume = Boolean.TRUE.equals(resumeFlag);
            if (resume && pause) throw new ParameterException(spec.commandLine(), "give --pause or --resume, not both");
            return withWallet(c, w -> SetPaused.execute(c, w, runId(runId), opt(treasurerIndex), !resume).render());
        }
    }

    @Command(name = "set-future-epoch-rates", mixinStandardHelpOptions = true, description = "Reward rates for the next epochs (collateral UI units for treasurer runs; points with --earning-rate/--slashing-rate under psyche-solana-client).")
    static final class SetRatesCmd extends Base {
        @Option(names = "--native-units", description = "show token amounts in the mint's smallest unit (= points) instead of the mint's units") boolean nativeUnits;
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}", converter = U64.class, description = "treasurer run index (default: derived from the run id, as run-manager does; env TREASURER_INDEX)") Long treasurerIndex;
        @Option(names = {"--earning-rate-total-shared", "--earning-rate"}, defaultValue = "${env:EARNING_RATE_TOTAL_SHARED}", description = "points (or collateral tokens for a treasurer run) shared by the healthy clients per epoch (env EARNING_RATE_TOTAL_SHARED)") Double earning;
        @Option(names = {"--slashing-rate-per-client", "--slashing-rate"}, defaultValue = "${env:SLASHING_RATE_PER_CLIENT}", description = "points (or collateral tokens) taken from each client dropped for bad health per epoch (env SLASHING_RATE_PER_CLIENT)") Double slashing;

        Integer run(Cluster c) {
            return withWallet(c, w -> {
                var r = SetFutureEpochRates.execute(c, w, runId(runId), opt(treasurerIndex), optD(earning),
                    optD(slashing), nativeUnitsByName());
                return native_(nativeUnits) ? r.render(TokenUnits.NATIVE) : r.render();
            });
        }
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true, description = "Point the run at a Hub checkpoint (Checkpoint::Hub, as run-manager sends), or a GCS one with --gcs-bucket (signer: a client of the epoch).")
    static final class CheckpointCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        // run-manager: #[clap(long, env)] repo / revision (run/checkpoint.rs:17-20)
        @Option(names = "--repo", defaultValue = "${env:REPO}", description = "Hugging Face repo of the checkpoint, e.g. org/model (env REPO)") String repo;
        @Option(names = "--revision", defaultValue = "${env:REVISION}", description = "revision (commit or branch) of that repo (default: none; env REVISION)") String revision;
        @Option(names = "--gcs-bucket", description = "send Checkpoint::Gcs{bucket, prefix} instead of a Hub repo") String gcsBucket;
        @Option(names = "--gcs-prefix", description = "object prefix inside --gcs-bucket") String gcsPrefix;

        Integer run(Cluster c) {
            psyche.config.Checkpoint cp;
            if (gcsBucket != null && !gcsBucket.isEmpty()) {
                if (repo != null && !repo.isEmpty()) throw new ParameterException(spec.commandLine(), "--repo and --gcs-bucket exclude each other: give one");
                cp = new psyche.config.Checkpoint.Gcs(new psyche.config.GcsRepo(gcsBucket, Optional.ofNullable(gcsPrefix)));
            } else {
                if (repo == null || repo.isEmpty()) throw new ParameterException(spec.commandLine(), "Missing required option: '--repo=<repo>' (or env REPO), or --gcs-bucket");
                if (gcsPrefix != null) throw new ParameterException(spec.commandLine(), "--gcs-prefix needs --gcs-bucket");
                cp = new psyche.config.Checkpoint.Hub(new psyche.config.HubRepo(repo, Optional.ofNullable(revision)));
            }
            return withWallet(c, w -> CheckpointRun.execute(c, w, runId(runId), cp).render());
        }
    }

    @Command(name = "tick", mixinStandardHelpOptions = true, description = "Send tick transactions.")
    static final class TickCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        // run/tick.rs:14-19: --ms-interval (env MS_INTERVAL, default 1000), --count (env COUNT; none = until stopped)
        @Option(names = "--ms-interval", defaultValue = "${env:MS_INTERVAL:-1000}", description = "ms between ticks; env MS_INTERVAL (default ${DEFAULT-VALUE})") long msInterval;
        @Option(names = "--count", defaultValue = "${env:COUNT}", description = "ticks to send; env COUNT; without it: tick until interrupted (Ctrl-C)") Long count;

        Integer run(Cluster c) {
            String id = runId(runId);
            try (Keypair w = cluster.wallet()) {
                PrintWriter out = out();
                long sent = TickRun.run(c, w, id, opt(count), Duration.ofMillis(msInterval), s -> {
                    // what run-manager prints per tick (run/tick.rs:48-54)
                    out.println("Ticked run " + id + " with transaction " + s.signature());
                    out.println();
                    out.println("===== Logs =====");
                    s.logs().forEach(out::println);
                    out.println();
                    out.flush();
                });
                if (sent == 0) {
                    out.println("nothing to do: --count 0 sends no tick");
                    out.flush();
                }
                return 0;
            }
        }
    }

    @Command(name = "json-dump-run", mixinStandardHelpOptions = true, description = "The run's state as JSON (run-manager's shape).")
    static final class JsonDumpRunCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}", converter = U64.class, description = "treasurer run index (default: derived from the run id, as run-manager does; env TREASURER_INDEX)") Long treasurerIndex;

        Integer run(Cluster c) {
            out().println(JsonDumps.render(JsonDumps.run(c, runId(runId), opt(treasurerIndex))));
            out().flush();
            return 0;
        }
    }

    @Command(name = "json-dump-user", mixinStandardHelpOptions = true, description = "One user's standing in a run as JSON.")
    static final class JsonDumpUserCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}", converter = U64.class, description = "treasurer run index (default: derived from the run id, as run-manager does; env TREASURER_INDEX)") Long treasurerIndex;
        @Option(names = {"--address", "--wallet", "--user"}, defaultValue = "${env:ADDRESS}", required = true, paramLabel = "PUBKEY", description = "the user's public key (env ADDRESS)") String address;

        Integer run(Cluster c) {
            out().println(JsonDumps.render(JsonDumps.user(c, runId(runId), opt(treasurerIndex), Pubkey.fromBase58(address))));
            out().flush();
            return 0;
        }
    }

    @Command(name = "join-authorization-create", mixinStandardHelpOptions = true, description = "Authorize a key (or everyone: 11111111111111111111111111111111) to join the wallet's runs.")
    static final class AuthCreateCmd extends Base {
        @Option(names = "--authorizer", defaultValue = "${env:AUTHORIZER}", required = true, description = "grantee public key") String authorizer;

        Integer run(Cluster c) {
            Pubkey grantee = Pubkey.fromBase58(authorizer);
            return withWallet(c, w -> JoinAuthorizations.create(c, w, grantee).map(Cluster.Sent::render)
                    .orElse("Authorization for " + grantee + " is already active (nothing sent)") + "\n"
                    + JoinAuthorizations.read(c, w.publicKey(), grantee).render());
        }
    }

    @Command(name = "join-authorization-read", mixinStandardHelpOptions = true, description = "Show an authorization: active and delegates.")
    static final class AuthReadCmd extends Base {
        // authorization/read.rs:13-17: --join-authority required, --authorizer optional (default 111…1, the public grant)
        @Option(names = "--join-authority", defaultValue = "${env:JOIN_AUTHORITY}", description = "grantor: the run's join authority (required; env JOIN_AUTHORITY)") String joinAuthority;
        @Option(names = "--authorizer", defaultValue = "${env:AUTHORIZER}", description = "grantee (default: 11111111111111111111111111111111, everyone)") String authorizer;

        Integer run(Cluster c) {
            if (joinAuthority == null || joinAuthority.isBlank()) {
                throw new ParameterException(spec.commandLine(), "Missing required option: '--join-authority=<joinAuthority>' (or env JOIN_AUTHORITY)");
            }
            Pubkey grantor = key("--join-authority", joinAuthority);
            Pubkey grantee = authorizer == null || authorizer.isBlank() ? JoinAuthorizations.EVERYONE : key("--authorizer", authorizer);
            PrintWriter out = out();
            // read.rs:31-51, line for line
            out.println("Authorization Grantor: " + grantor);
            out.println("Authorization Grantee: " + grantee);
            out.println("Authorization Address: " + c.pdas().joinAuthorization(grantor, grantee).address());
            out.flush();
            JoinAuthorizations.Found found = JoinAuthorizations.read(c, grantor, grantee);
            out.println("Authorization Active: " + found.authorization().active());
            out.println("Authorization Delegate Count: " + found.authorization().delegates().size());
            int i = 0;
            for (Pubkey d : found.authorization().delegates()) out.println(" - Authorization delegate #" + (++i) + ": " + d);
            out.flush();
            return 0;
        }

        private Pubkey key(String option, String value) {
            try {
                return Pubkey.fromBase58(value);
            } catch (RuntimeException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': '" + value + "' is not a base58 public key");
            }
        }
    }

    @Command(name = "join-authorization-delegate", aliases = "set-delegates", mixinStandardHelpOptions = true, description = "As grantee (the wallet), clear and/or add delegate keys.")
    static final class AuthDelegateCmd extends Base {
        @Option(names = "--join-authority", defaultValue = "${env:JOIN_AUTHORITY}", required = true, description = "grantor: the run's join authority whose authorization delegates are changed (env JOIN_AUTHORITY)") String joinAuthority;
        // authorization/delegate.rs:15-18: env DELEGATES_CLEAR / DELEGATES_ADDED
        @Option(names = "--delegates-clear", defaultValue = "${env:DELEGATES_CLEAR}", description = "remove every current delegate first (env DELEGATES_CLEAR)") Boolean clear;
        @Option(names = {"--delegates-added", "--delegate-added"}, arity = "0..*", paramLabel = "PUBKEY", description = "delegate keys to add (may sign for the grantee)") List<String> added;

        Integer run(Cluster c) {
            boolean clear = Boolean.TRUE.equals(this.clear);
            List<String> given = added != null ? added : envList("DELEGATES_ADDED");
            if (!clear && given.isEmpty()) {
                // Psyche sends a transaction that changes nothing and exits 0: say so, send nothing, exit 0
                out().println("nothing to do: give --delegates-clear and/or --delegates-added KEY...");
                out().flush();
                return 0;
            }
            List<Pubkey> keys = given.stream().map(Pubkey::fromBase58).toList();
            return withWallet(c, w -> JoinAuthorizations.delegate(c, w, Pubkey.fromBase58(joinAuthority), clear, keys).render()
                    + "\n" + JoinAuthorizations.read(c, Pubkey.fromBase58(joinAuthority), w.publicKey()).render());
        }
    }

    @Command(name = "join-authorization-delete", mixinStandardHelpOptions = true, description = "Deactivate the wallet's authorization for a grantee.")
    static final class AuthDeleteCmd extends Base {
        @Option(names = "--authorizer", defaultValue = "${env:AUTHORIZER}", required = true, description = "grantee whose authorization to deactivate (env AUTHORIZER)") String authorizer;

        Integer run(Cluster c) {
            Pubkey grantee = Pubkey.fromBase58(authorizer);
            return withWallet(c, w -> {
                // authorization/delete.rs:38-52: an inactive authorization is reported and left alone, exit 0
                if (!JoinAuthorizations.read(c, w.publicKey(), grantee).authorization().active()) {
                    return "nothing to do: the authorization for " + grantee + " is already inactive (nothing sent)";
                }
                return JoinAuthorizations.delete(c, w, grantee).render();
            });
        }
    }

    @Command(name = "treasurer-top-up-rewards", mixinStandardHelpOptions = true, description = "Transfer collateral to the run's treasury (UI units; native units under psyche-solana-client or with --collateral-amount-native).")
    static final class TopUpCmd extends Base {
        @Option(names = "--native-units", description = "show token amounts in the mint's smallest unit (= points) instead of the mint's units") boolean nativeUnits;
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}", converter = U64.class, description = "treasurer run index (default: derived from the run id, as run-manager does; env TREASURER_INDEX)") Long treasurerIndex;
        @Option(names = "--collateral-amount", defaultValue = "${env:COLLATERAL_AMOUNT}", description = "amount in the mint's units, e.g. 150 (native units under psyche-solana-client; env COLLATERAL_AMOUNT)") Double amount;
        @Option(names = "--collateral-amount-native", description = "amount in the mint's smallest unit") Long amountNative;

        Integer run(Cluster c) {
            TopUpRewards.Amount a;
            if (amountNative != null) a = TopUpRewards.Amount.nativeUnits(amountNative);
            else if (amount == null) throw new ParameterException(spec.commandLine(), "Missing required option: '--collateral-amount'");
            else if (nativeUnitsByName()) {
                if (amount != Math.rint(amount)) throw new ParameterException(spec.commandLine(), "--collateral-amount is in the token's smallest unit here: give a whole number");
                a = TopUpRewards.Amount.nativeUnits(amount.longValue());
            } else a = TopUpRewards.Amount.ui(amount);
            TopUpRewards.Amount chosen = a;
            return withWallet(c, w -> {
                var r = TopUpRewards.execute(c, w, runId(runId), opt(treasurerIndex), chosen);
                return native_(nativeUnits) ? r.render(TokenUnits.NATIVE) : r.render();
            });
        }
    }

    @Command(name = "treasurer-claim-rewards", mixinStandardHelpOptions = true, description = "Claim the wallet's earned points as collateral (min of unclaimed and treasury).")
    static final class ClaimCmd extends Base {
        @Option(names = "--native-units", description = "show token amounts in the mint's smallest unit (= points) instead of the mint's units") boolean nativeUnits;
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}", converter = U64.class, description = "treasurer run index (default: derived from the run id, as run-manager does; env TREASURER_INDEX)") Long treasurerIndex;
        @Option(names = "--points", description = "claim exactly this many points (default: all claimable)") Long points;

        Integer run(Cluster c) { return withWallet(c, w -> {
                var r = ClaimRewards.execute(c, w, runId(runId), opt(treasurerIndex), opt(points));
                return native_(nativeUnits) ? r.render(TokenUnits.NATIVE) : r.render();
            }); }
    }

    @Command(name = "can-join", mixinStandardHelpOptions = true, description = "Whether a key may join a run now (exit 1 if not).")
    static final class CanJoinCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--authorizer", defaultValue = "${env:AUTHORIZER}", description = "grantee of the authorization to use (default: try 11111111111111111111111111111111, everyone, then the joining key; env AUTHORIZER)") String authorizer;
        // can_join.rs:18-19: --address, aliases --wallet and --user, env ADDRESS
        @Option(names = {"--address", "--wallet", "--user"}, defaultValue = "${env:ADDRESS}", paramLabel = "PUBKEY", description = "the joining key (default: the wallet)") String address;

        Integer run(Cluster c) {
            Pubkey user;
            if (address != null) user = Pubkey.fromBase58(address);
            else try (Keypair w = cluster.wallet()) { user = w.publicKey(); }
            CanJoin.Answer a = CanJoin.check(c, runId(runId), user, Optional.ofNullable(authorizer).map(Pubkey::fromBase58));
            out().println(a.render());
            out().flush();
            return a.canJoin() ? 0 : 1;
        }
    }

    @Command(name = "list-runs", mixinStandardHelpOptions = true, description = "All runs of the coordinator program (only the bytes shown travel).")
    static final class ListRunsCmd extends Base {
        // main.rs:243-256: --env-file, --coordinator-program-id, --authorizer (only runs with this join authority)
        @Option(names = "--authorizer", description = "only runs whose join authority is this key") String authorizer;
        @Option(names = "--coordinator-program-id", defaultValue = "${env:COORDINATOR_PROGRAM_ID}", description = "coordinator program to list runs of (default: Psyche's; env COORDINATOR_PROGRAM_ID)") String programId;
        @Option(names = "--env-file", description = ".env file with RPC, WALLET_PRIVATE_KEY_PATH / RAW_WALLET_PRIVATE_KEY, AUTHORIZER") Path envFile;
        @Option(names = "--all", description = "every run of the program, any state, with accounts and owners (no wallet needed)") boolean all;

        Integer run(Cluster c) {
            java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
            if (envFile != null) env.putAll(readEnvFile(envFile));
            Cluster base = c;
            if (envFile != null && env.get("RPC") != null && !env.get("RPC").isBlank()) base = Cluster.connect(env.get("RPC").strip());
            Cluster target = programId == null ? base : new Cluster(base.rpc(), base.ids().withCoordinator(Pubkey.fromBase58(programId)), false);
            Optional<Pubkey> joinAuthority = Optional.ofNullable(authorizer).filter(x -> !x.isBlank()).map(Pubkey::fromBase58);
            try {
                if (all) {
                    List<ListRuns.Listed> runs = ListRuns.execute(target, Optional.empty());
                    if (joinAuthority.isPresent()) runs = runs.stream().filter(l -> l.joinAuthority().equals(joinAuthority)).toList();
                    out().println(ListRuns.render(runs));
                } else {
                    Pubkey user;
                    Optional<Path> walletPath = Optional.ofNullable(cluster.wallet)
                            .or(() -> Optional.ofNullable(env.get("WALLET_PRIVATE_KEY_PATH")).filter(x -> !x.isBlank()).map(Path::of));
                    try (Keypair w = Keypair.resolve(walletPath, env)) { user = w.publicKey(); }
                    Optional<Pubkey> delegate = Optional.ofNullable(env.get("AUTHORIZER")).filter(x -> !x.isBlank()).map(Pubkey::fromBase58);
                    out().println(ListRuns.renderJoinable(ListRuns.joinable(target, user, joinAuthority, delegate),
                            System.currentTimeMillis() / 1000));
                }
                out().flush();
                return 0;
            } finally {
                if (target != base) target.close();
                if (base != c) base.close();
            }
        }

        /** run-manager's load_and_apply_env_file (lib.rs:14-28): KEY=VALUE lines, '#' comments, quotes trimmed. */
        static java.util.Map<String, String> readEnvFile(Path file) {
            java.util.Map<String, String> m = new java.util.HashMap<>();
            List<String> lines;
            try {
                lines = java.nio.file.Files.readAllLines(file);
            } catch (java.io.IOException e) {
                throw new psyche.ops.OpsException(psyche.ops.OpsException.Reason.INVALID, "Failed to read env file: " + file + " (" + e.getMessage() + ")");
            }
            for (String raw : lines) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                int eq = line.indexOf('=');
                if (eq < 0) continue;
                m.put(trimQuotes(line.substring(0, eq).strip()), trimQuotes(line.substring(eq + 1).strip()));
            }
            return m;
        }

        private static String trimQuotes(String s) {
            int a = 0, b = s.length();
            while (a < b && s.charAt(a) == '"') a++;
            while (b > a && s.charAt(b - 1) == '"') b--;
            return s.substring(a, b);
        }
    }

    @Command(name = "diagnose", mixinStandardHelpOptions = true, description = "Why a run is stuck, from the chain's facts (exit 1 on any PROBLEM).")
    static final class DiagnoseCmd extends Base {
        @Option(names = "--native-units", description = "show token amounts in the mint's smallest unit (= points) instead of the mint's units") boolean nativeUnits;
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = "--address", arity = "1..*", paramLabel = "KEY", description = "keys whose join authorization to check") List<String> keys = List.of();
        @Option(names = "--history", paramLabel = "FILE", description = "history store recorded for this run") Path history;

        Integer run(Cluster c) {
            Diagnosis d;
            if (history != null) {
                try (HistoryStore store = HistoryStore.open(history)) {
                    d = DiagnoseRun.execute(c, runId(runId), keys.stream().map(Pubkey::fromBase58).toList(), Optional.of(store.history(runId)), native_(nativeUnits));
                }
            } else {
                d = DiagnoseRun.execute(c, runId(runId), keys.stream().map(Pubkey::fromBase58).toList(), Optional.empty(), native_(nativeUnits));
            }
            out().println(d);
            out().flush();
            return d.healthy() ? 0 : 1;
        }
    }

    @Command(name = "create-test-mint", mixinStandardHelpOptions = true, description = "Local/devnet testing: create an SPL mint (wallet = authority) and fund wallets with SOL and tokens.")
    static final class CreateTestMintCmd extends Base {
        @Option(names = "--decimals", defaultValue = "6", description = "decimals of the new mint") int decimals;
        @Option(names = "--mint", description = "mint to an existing mint instead of creating one") String mint;
        @Option(names = "--fund", arity = "1..*", paramLabel = "PUBKEY", description = "wallets to fund (default: the wallet)") List<String> fund = List.of();
        @Option(names = "--amount", defaultValue = "1000000000", description = "token native units per wallet (default: ${DEFAULT-VALUE})") long amount;
        @Option(names = "--sol", defaultValue = "0", description = "SOL to airdrop per funded wallet") double sol;

        Integer run(Cluster c) {
            Inputs.positiveAmount(amount, "--amount"); // checked before the mint is created: nothing is sent on a typo
            long lamports = Inputs.solToLamports(sol, "--sol", true);
            return withWallet(c, w -> {
                Pubkey m = mint != null ? Pubkey.fromBase58(mint) : TestTokens.createMint(c, w, decimals);
                StringBuilder b = new StringBuilder("Mint: ").append(m);
                List<Pubkey> targets = fund.isEmpty() ? List.of(w.publicKey()) : fund.stream().map(Pubkey::fromBase58).toList();
                for (Pubkey t : targets) {
                    if (lamports > 0) TestTokens.airdrop(c, t, lamports);
                    TestTokens.mintTo(c, w, m, t, amount);
                    b.append("\n  funded ").append(t).append(" with ").append(amount).append(" native units")
                            .append(sol > 0 ? " and " + sol + " SOL" : "");
                }
                return b.toString();
            });
        }
    }

    @Command(name = "airdrop", mixinStandardHelpOptions = true,
            description = "Request SOL from the cluster's faucet (local chain, devnet, testnet), like `solana airdrop`.")
    static final class AirdropCmd extends Base {
        @Parameters(index = "0", paramLabel = "SOL", description = "amount in SOL") double sol;
        @Option(names = "--address", description = "recipient (default: the wallet's public key)") String address;

        Integer run(Cluster c) {
            Pubkey to;
            if (address != null) {
                to = Pubkey.fromBase58(address);
            } else {
                try (Keypair w = cluster.wallet()) { to = w.publicKey(); }
            }
            String sig = TestTokens.airdrop(c, to, Inputs.solToLamports(sol, "the airdrop", false));
            out().println("Signature: " + sig + "\n" + sol + " SOL to " + to + ", balance "
                    + c.rpc().getBalance(to.toBase58()) / 1e9 + " SOL");
            out().flush();
            return 0;
        }
    }

    @Command(name = "download-results", mixinStandardHelpOptions = true, description = "Not available here: needs Nous' run-down service.")
    static final class DownloadResultsCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = {"-o", "--output-dir"}, description = "where the results would be written (accepted for compatibility)") Path outputDir;
        @Option(names = "--expires-in-seconds", defaultValue = "3600", description = "lifetime of the signed URL (accepted for compatibility)") long expires;
        @Option(names = "--overwrite", description = "replace existing files (accepted for compatibility)") boolean overwrite;

        Integer run(Cluster c) { throw runDown("download-results", runId); }
    }

    @Command(name = "upload-data", mixinStandardHelpOptions = true, description = "Not available here: needs Nous' run-down service.")
    static final class UploadDataCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}", description = "the run's id (env RUN_ID)") String runId;
        @Option(names = {"-p", "--path"}, description = "file or directory that would be uploaded (accepted for compatibility)") Path path;
        @Option(names = "--expires-in-seconds", defaultValue = "3600", description = "lifetime of the signed URL (accepted for compatibility)") long expires;

        Integer run(Cluster c) { throw runDown("upload-data", runId); }
    }

    static OpsException runDown(String what, String runId) {
        return new OpsException(OpsException.Reason.UNREACHABLE, what + " needs Nous' run-down service "
                + "(https://run-down.nousresearch.com/v1/…/" + runId + "), which is not reachable from this machine and has no "
                + "local equivalent; run it where that service is reachable, with Psyche's run-manager");
    }
}
