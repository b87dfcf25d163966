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
import psyche.ops.JsonDumps;
import psyche.ops.ListRuns;
import psyche.ops.OpsException;
import psyche.ops.SetFutureEpochRates;
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

    /** Shared plumbing: the common options, the output, and the name the CLI was started under. */
    abstract static class Base implements Callable<Integer> {
        @Mixin ClusterOptions cluster;
        @Spec CommandSpec spec;

        PrintWriter out() { return spec.commandLine().getOut(); }

        /** True when started as {@code psyche-solana-client}: the FAQ gives token amounts and rates in native units. */
        boolean nativeUnitsByName() { return spec.root().name().equals("psyche-solana-client"); }

        String runId(String runId) {
            if (runId == null || runId.isBlank()) throw new ParameterException(spec.commandLine(), "Missing required option: '--run-id=<runId>' (or env RUN_ID)");
            return runId;
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
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}") Long treasurerIndex;
        @Option(names = "--treasurer-collateral-mint", defaultValue = "${env:TREASURER_COLLATERAL_MINT}", description = "SPL mint of the reward collateral: makes a treasurer run") String mint;
        @Option(names = "--join-authority", defaultValue = "${env:JOIN_AUTHORITY}", description = "key whose authorizations admit clients (default: the wallet)") String joinAuthority;

        Integer run(Cluster c) {
            CreateRun.Params p = new CreateRun.Params(runId(runId), clientVersion, Optional.ofNullable(joinAuthority).map(Pubkey::fromBase58),
                    opt(treasurerIndex), Optional.ofNullable(mint).map(Pubkey::fromBase58));
            return withWallet(c, w -> CreateRun.execute(c, w, p).render());
        }
    }

    @Command(name = "close-run", mixinStandardHelpOptions = true, description = "Close a halted run and return its rent to the wallet.")
    static final class CloseRunCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;

        Integer run(Cluster c) { return withWallet(c, w -> CloseRun.execute(c, w, runId(runId)).render() + "\nClosed run '" + runId + "'"); }
    }

    @Command(name = "update-config", mixinStandardHelpOptions = true, description = "Validate a config locally, show the diff, and update the run (halted runs only, except metadata).")
    static final class UpdateConfigCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}") Long treasurerIndex;
        @Option(names = "--config-path", defaultValue = "${env:CONFIG_PATH}", description = "run config TOML") Path configPath;
        @Option(names = "--restart-from-step", defaultValue = "${env:RESTART_FROM_STEP}", description = "set the run's progress back to this step (paused runs)") Long restartFromStep;
        @Option(names = "--switch-to-hub", description = "P2P/Dummy checkpoint → Hub") boolean switchToHub;
        @Option(names = "--name", defaultValue = "${env:NAME}", description = "run name shown to clients (metadata, any time)") String name;
        @Option(names = "--description", defaultValue = "${env:DESCRIPTION}", description = "run description (metadata, any time)") String description;
        @Option(names = "--num-parameters", defaultValue = "${env:NUM_PARAMETERS}", description = "model parameter count (metadata, any time)") Long numParameters;
        @Option(names = "--vocab-size", defaultValue = "${env:VOCAB_SIZE}", description = "tokenizer vocabulary size (metadata, any time)") Long vocabSize;
        @Option(names = "--client-version", defaultValue = "${env:CLIENT_VERSION}", description = "client version clients must run (paused runs)") String clientVersion;
        @Option(names = "--dry-run", description = "validate and print the diff and warnings; sign and send nothing") boolean dryRun;

        Integer run(Cluster c) {
            UpdateConfig.Params p = new UpdateConfig.Params(runId(runId), opt(treasurerIndex),
                    Optional.ofNullable(configPath).map(UpdateConfig::load), opt(restartFromStep), switchToHub,
                    Optional.ofNullable(name), Optional.ofNullable(description), opt(numParameters), opt(vocabSize),
                    Optional.ofNullable(clientVersion));
            return withWallet(c, w -> (dryRun ? UpdateConfig.plan(c, w, p) : UpdateConfig.execute(c, w, p)).render());
        }
    }

    @Command(name = "set-paused", mixinStandardHelpOptions = true, description = "Pause (default, or --pause) or resume (--resume) a run.")
    static final class SetPausedCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}") Long treasurerIndex;
        @Option(names = "--resume", description = "unpause") boolean resume;
        @Option(names = "--pause", description = "pause (the default)") boolean pause;

        Integer run(Cluster c) {
            if (resume && pause) throw new ParameterException(spec.commandLine(), "give --pause or --resume, not both");
            return withWallet(c, w -> SetPaused.execute(c, w, runId(runId), opt(treasurerIndex), !resume).render());
        }
    }

    @Command(name = "set-future-epoch-rates", mixinStandardHelpOptions = true, description = "Reward rates for the next epochs (collateral UI units for treasurer runs; points with --earning-rate/--slashing-rate under psyche-solana-client).")
    static final class SetRatesCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}") Long treasurerIndex;
        @Option(names = {"--earning-rate-total-shared", "--earning-rate"}, defaultValue = "${env:EARNING_RATE_TOTAL_SHARED}") Double earning;
        @Option(names = {"--slashing-rate-per-client", "--slashing-rate"}, defaultValue = "${env:SLASHING_RATE_PER_CLIENT}") Double slashing;

        Integer run(Cluster c) {
            return withWallet(c, w -> SetFutureEpochRates.execute(c, w, runId(runId), opt(treasurerIndex), optD(earning),
                    optD(slashing), nativeUnitsByName()).render());
        }
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true, description = "Point the run at a Hub checkpoint (signer: a client of the epoch).")
    static final class CheckpointCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--repo", required = true) String repo;
        @Option(names = "--revision") String revision;

        Integer run(Cluster c) { return withWallet(c, w -> CheckpointRun.execute(c, w, runId(runId), repo, Optional.ofNullable(revision)).render()); }
    }

    @Command(name = "tick", mixinStandardHelpOptions = true, description = "Send tick transactions.")
    static final class TickCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--ms-interval", defaultValue = "1000") long msInterval;
        @Option(names = "--count", defaultValue = "1") int count;

        Integer run(Cluster c) {
            return withWallet(c, w -> String.join("\n", TickRun.execute(c, w, runId(runId), count, Duration.ofMillis(msInterval))
                    .stream().map(Cluster.Sent::render).toList()));
        }
    }

    @Command(name = "json-dump-run", mixinStandardHelpOptions = true, description = "The run's state as JSON (run-manager's shape).")
    static final class JsonDumpRunCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}") Long treasurerIndex;

        Integer run(Cluster c) {
            out().println(JsonDumps.render(JsonDumps.run(c, runId(runId), opt(treasurerIndex))));
            out().flush();
            return 0;
        }
    }

    @Command(name = "json-dump-user", mixinStandardHelpOptions = true, description = "One user's standing in a run as JSON.")
    static final class JsonDumpUserCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}") Long treasurerIndex;
        @Option(names = {"--address", "--wallet", "--user"}, defaultValue = "${env:ADDRESS}", required = true, paramLabel = "PUBKEY") String address;

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
        @Option(names = "--join-authority", defaultValue = "${env:JOIN_AUTHORITY}", description = "grantor (default: the wallet)") String joinAuthority;
        @Option(names = "--authorizer", defaultValue = "${env:AUTHORIZER}", required = true, description = "grantee") String authorizer;

        Integer run(Cluster c) {
            Pubkey grantor = joinAuthority != null ? Pubkey.fromBase58(joinAuthority) : walletKey();
            out().println(JoinAuthorizations.read(c, grantor, Pubkey.fromBase58(authorizer)).render());
            out().flush();
            return 0;
        }

        private Pubkey walletKey() { try (Keypair w = cluster.wallet()) { return w.publicKey(); } }
    }

    @Command(name = "join-authorization-delegate", aliases = "set-delegates", mixinStandardHelpOptions = true, description = "As grantee (the wallet), clear and/or add delegate keys.")
    static final class AuthDelegateCmd extends Base {
        @Option(names = "--join-authority", defaultValue = "${env:JOIN_AUTHORITY}", required = true) String joinAuthority;
        @Option(names = "--delegates-clear") boolean clear;
        @Option(names = {"--delegates-added", "--delegate-added"}, arity = "0..*", paramLabel = "PUBKEY") List<String> added = List.of();

        Integer run(Cluster c) {
            List<Pubkey> keys = added.stream().map(Pubkey::fromBase58).toList();
            return withWallet(c, w -> JoinAuthorizations.delegate(c, w, Pubkey.fromBase58(joinAuthority), clear, keys).render()
                    + "\n" + JoinAuthorizations.read(c, Pubkey.fromBase58(joinAuthority), w.publicKey()).render());
        }
    }

    @Command(name = "join-authorization-delete", mixinStandardHelpOptions = true, description = "Deactivate the wallet's authorization for a grantee.")
    static final class AuthDeleteCmd extends Base {
        @Option(names = "--authorizer", defaultValue = "${env:AUTHORIZER}", required = true) String authorizer;

        Integer run(Cluster c) { return withWallet(c, w -> JoinAuthorizations.delete(c, w, Pubkey.fromBase58(authorizer)).render()); }
    }

    @Command(name = "treasurer-top-up-rewards", mixinStandardHelpOptions = true, description = "Transfer collateral to the run's treasury (UI units; native units under psyche-solana-client or with --collateral-amount-native).")
    static final class TopUpCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}") Long treasurerIndex;
        @Option(names = "--collateral-amount", defaultValue = "${env:COLLATERAL_AMOUNT}") Double amount;
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
            return withWallet(c, w -> TopUpRewards.execute(c, w, runId(runId), opt(treasurerIndex), chosen).render());
        }
    }

    @Command(name = "treasurer-claim-rewards", mixinStandardHelpOptions = true, description = "Claim the wallet's earned points as collateral (min of unclaimed and treasury).")
    static final class ClaimCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--treasurer-index", defaultValue = "${env:TREASURER_INDEX}") Long treasurerIndex;
        @Option(names = "--points", description = "claim exactly this many points (default: all claimable)") Long points;

        Integer run(Cluster c) { return withWallet(c, w -> ClaimRewards.execute(c, w, runId(runId), opt(treasurerIndex), opt(points)).render()); }
    }

    @Command(name = "can-join", mixinStandardHelpOptions = true, description = "Whether a key may join a run now (exit 1 if not).")
    static final class CanJoinCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--authorizer", defaultValue = "${env:AUTHORIZER}") String authorizer;
        @Option(names = "--address", defaultValue = "${env:ADDRESS}", description = "the joining key (default: the wallet)") String address;

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
        @Option(names = "--authorizer", defaultValue = "${env:AUTHORIZER}", description = "only runs this key may join") String authorizer;
        @Option(names = "--coordinator-program-id", defaultValue = "${env:COORDINATOR_PROGRAM_ID}") String programId;
        @Option(names = "--env-file", description = "accepted for compatibility; unused") Path envFile;

        Integer run(Cluster c) {
            Cluster target = programId == null ? c : new Cluster(c.rpc(), c.ids().withCoordinator(Pubkey.fromBase58(programId)), false);
            out().println(ListRuns.render(ListRuns.execute(target, Optional.ofNullable(authorizer).map(Pubkey::fromBase58))));
            out().flush();
            return 0;
        }
    }

    @Command(name = "diagnose", mixinStandardHelpOptions = true, description = "Why a run is stuck, from the chain's facts (exit 1 on any PROBLEM).")
    static final class DiagnoseCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = "--address", arity = "1..*", paramLabel = "KEY", description = "keys whose join authorization to check") List<String> keys = List.of();
        @Option(names = "--history", paramLabel = "FILE", description = "history store recorded for this run") Path history;

        Integer run(Cluster c) {
            Diagnosis d;
            if (history != null) {
                try (HistoryStore store = HistoryStore.open(history)) {
                    d = DiagnoseRun.execute(c, runId(runId), keys.stream().map(Pubkey::fromBase58).toList(), Optional.of(store.history(runId)));
                }
            } else {
                d = DiagnoseRun.execute(c, runId(runId), keys.stream().map(Pubkey::fromBase58).toList(), Optional.empty());
            }
            out().println(d);
            out().flush();
            return d.healthy() ? 0 : 1;
        }
    }

    @Command(name = "create-test-mint", mixinStandardHelpOptions = true, description = "Local/devnet testing: create an SPL mint (wallet = authority) and fund wallets with SOL and tokens.")
    static final class CreateTestMintCmd extends Base {
        @Option(names = "--decimals", defaultValue = "6") int decimals;
        @Option(names = "--mint", description = "mint to an existing mint instead of creating one") String mint;
        @Option(names = "--fund", arity = "1..*", paramLabel = "PUBKEY", description = "wallets to fund (default: the wallet)") List<String> fund = List.of();
        @Option(names = "--amount", defaultValue = "1000000000", description = "token native units per wallet (default: ${DEFAULT-VALUE})") long amount;
        @Option(names = "--sol", defaultValue = "0", description = "SOL to airdrop per funded wallet") double sol;

        Integer run(Cluster c) {
            return withWallet(c, w -> {
                Pubkey m = mint != null ? Pubkey.fromBase58(mint) : TestTokens.createMint(c, w, decimals);
                StringBuilder b = new StringBuilder("Mint: ").append(m);
                List<Pubkey> targets = fund.isEmpty() ? List.of(w.publicKey()) : fund.stream().map(Pubkey::fromBase58).toList();
                for (Pubkey t : targets) {
                    if (sol > 0) TestTokens.airdrop(c, t, Math.round(sol * 1e9));
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
            String sig = TestTokens.airdrop(c, to, Math.round(sol * 1e9));
            out().println("Signature: " + sig + "\n" + sol + " SOL to " + to + ", balance "
                    + c.rpc().getBalance(to.toBase58()) / 1e9 + " SOL");
            out().flush();
            return 0;
        }
    }

    @Command(name = "download-results", mixinStandardHelpOptions = true, description = "Not available here: needs Nous' run-down service.")
    static final class DownloadResultsCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = {"-o", "--output-dir"}) Path outputDir;
        @Option(names = "--expires-in-seconds", defaultValue = "3600") long expires;
        @Option(names = "--overwrite") boolean overwrite;

        Integer run(Cluster c) { throw runDown("download-results", runId); }
    }

    @Command(name = "upload-data", mixinStandardHelpOptions = true, description = "Not available here: needs Nous' run-down service.")
    static final class UploadDataCmd extends Base {
        @Option(names = {"-r", "--run-id"}, defaultValue = "${env:RUN_ID}") String runId;
        @Option(names = {"-p", "--path"}) Path path;
        @Option(names = "--expires-in-seconds", defaultValue = "3600") long expires;

        Integer run(Cluster c) { throw runDown("upload-data", runId); }
    }

    static OpsException runDown(String what, String runId) {
        return new OpsException(OpsException.Reason.UNREACHABLE, what + " needs Nous' run-down service "
                + "(https://run-down.nousresearch.com/v1/…/" + runId + "), which is not reachable from this machine and has no "
                + "local equivalent; run it where that service is reachable, with Psyche's run-manager");
    }
}
