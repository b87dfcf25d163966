package psyche;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import psyche.chain.Keypair;
import psyche.chain.local.LocalChain;
import psyche.coordinator.Pubkey;
import psyche.ops.Cluster;
import psyche.ops.CreateRun;
import psyche.ops.JoinAuthorizations;
import psyche.ops.ListRuns;
import psyche.ops.TestTokens;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The notebook entry point. {@code Psyche.local()} starts (or reuses) the local chain on 127.0.0.1:8899 with the
 * ledger in {@code ~/.psyche/local-chain} (or {@code $PSYCHE_LEDGER}) and a funded wallet; {@code Psyche.connect}
 * points at a real cluster. Close it to stop a local chain it started.
 * <pre>{@code
 * try (var psyche = Psyche.local()) {
 *     Run run = psyche.createRun("my-run");
 *     run.updateConfig(Path.of("notebooks/configs/tiny.toml")).resume();
 *     run.clients();
 * }
 * }</pre>
 */
public final class Psyche implements AutoCloseable, psyche.display.Viewable {
    /** SOL a fresh local wallet gets from the faucet: enough for dozens of runs' rent. */
    public static final double LOCAL_WALLET_SOL = 100;

    private final Cluster cluster;
    private final Wallet wallet;
    private final LocalChain startedChain;
    private final List<Run> handles = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.time.Clock clock;

    private Psyche(Cluster cluster, Wallet wallet, LocalChain startedChain, java.time.Clock clock) {
        this.cluster = cluster;
        this.wallet = wallet;
        this.startedChain = startedChain;
        this.clock = clock;
    }

    /** The local chain on port 8899 with the default ledger and wallet. */
    public static Psyche local() {
        String env = System.getenv("PSYCHE_LEDGER");
        return local(LocalChain.DEFAULT_RPC_PORT, env != null && !env.isBlank() ? Path.of(env) : LocalChain.defaultLedgerDir());
    }

    /** The local chain on {@code port} (0 = a free one) with its ledger in {@code ledgerDir}, and the default wallet. */
    public static Psyche local(int port, Path ledgerDir) { return local(port, ledgerDir, defaultWalletFile()); }

    /**
     * The local chain on {@code port}, started with {@code ledgerDir} unless one already serves there, and the
     * keypair in {@code walletFile} (created when absent, never overwritten), funded from the faucet when low.
     */
    public static Psyche local(int port, Path ledgerDir, Path walletFile) {
        return local(port, ledgerDir, walletFile, java.util.OptionalLong.empty(), null);
    }

    /**
     * A local chain of its own (a free port, {@code ledgerDir}) in reproducible mode, for reports: its coordinator
     * derives round seeds from {@code seed} and the run's epoch and step instead of the clock
     * ({@link LocalChain.Builder#optLogicalRoundSeeds}), so a re-run assigns the same batches to the same clients.
     * Everything else is the local chain as usual; the mode and seed are recorded in the report's provenance.
     */
    public static Psyche localReproducible(Path ledgerDir, Path walletFile, long seed) {
        return local(0, ledgerDir, walletFile, java.util.OptionalLong.of(seed), null);
    }

    /**
     * {@link #localReproducible(Path, Path, long)} on a logical clock as well: the chain's slots and clock sysvar
     * move only when {@code clock} is advanced (by simulated clients stepping on it,
     * {@code ChainClients.Builder.optLogicalClock}), and the runs this handle opens read "now" from it, record history
     * and watch on it. Epochs, timeouts, drops and every table then depend on steps taken, not on machine speed.
     * For runs driven by simulated clients only: a training loop paced by the wall clock would never see time pass.
     */
    public static Psyche localReproducible(Path ledgerDir, Path walletFile, long seed, psyche.sim.LogicalClock clock) {
        return local(0, ledgerDir, walletFile, java.util.OptionalLong.of(seed), Objects.requireNonNull(clock, "clock"));
    }

    private static Psyche local(int port, Path ledgerDir, Path walletFile, java.util.OptionalLong logicalSeeds,
                                psyche.sim.LogicalClock logicalClock) {
        Objects.requireNonNull(ledgerDir, "ledgerDir");
        boolean created = Wallet.ensureKeyFile(walletFile);
        // information, not a failure: stdout, so a report does not show it as an error box
        if (created) System.out.println("psyche: created wallet " + walletFile + " for the local chain");
        LocalChain chain = null;
        String url;
        if (port != 0 && LocalChain.isServing(port)) {
            url = "http://127.0.0.1:" + port;
        } else {
            LocalChain.Builder builder = LocalChain.builder().optRpcPort(port).optLedgerDir(ledgerDir);
            logicalSeeds.ifPresent(builder::optLogicalRoundSeeds);
            if (logicalClock != null) builder.optClock(logicalClock);
            chain = builder.start(); // with Psyche's programs
            if (logicalSeeds.isPresent()) {
                psyche.reports.ProvenanceLog.seed("local chain round seeds (logical clock)", logicalSeeds.getAsLong());
            }
            if (logicalClock != null) {
                psyche.reports.ProvenanceLog.seed("local chain clock (logical, advanced by client steps) starts at",
                        logicalClock.epochSecond());
            }
            url = chain.rpcUrl();
        }
        Cluster cluster = Cluster.connect(url);
        try {
            Wallet w = Wallet.load(walletFile, cluster);
            if (w.lamports() < (long) (LOCAL_WALLET_SOL * 1e9) / 10) w.airdrop(LOCAL_WALLET_SOL);
            return new Psyche(cluster, w, chain, logicalClock != null ? logicalClock : java.time.Clock.systemUTC());
        } catch (RuntimeException e) {
            cluster.close();
            if (chain != null) chain.close();
            throw e;
        }
    }

    /** A real cluster (devnet, mainnet-beta, or a URL) with {@code ~/.config/solana/id.json} when it exists. */
    public static Psyche connect(String rpcUrlOrMoniker) {
        Path id = Keypair.defaultPath();
        return connect(rpcUrlOrMoniker, Files.exists(id) ? id : null);
    }

    /** A real cluster with the keypair in {@code walletFile} (null: read-only). */
    public static Psyche connect(String rpcUrlOrMoniker, Path walletFile) {
        Cluster cluster = Cluster.connect(rpcUrlOrMoniker);
        return new Psyche(cluster, walletFile == null ? null : Wallet.load(walletFile, cluster), null, java.time.Clock.systemUTC());
    }

    /** {@code ~/.config/solana/id.json} if present, else {@code ~/.psyche/wallets/default.json}. */
    public static Path defaultWalletFile() {
        Path id = Keypair.defaultPath();
        return Files.exists(id) ? id : UserHome.dir().resolve(Path.of(".psyche", "wallets", "default.json"));
    }

    /**
     * Prints what a bug report needs: versions, PyTorch natives, Jupyter and our kernelspec, the local ledger, the
     * wallet's public key (never a secret), whether the RPC endpoint (env {@code RPC}, else the local chain) answers,
     * and the device. The same as {@code run-manager doctor}; {@link Doctor#report} returns it as data.
     */
    public static void doctor() { System.out.print(Doctor.report(Doctor.Options.defaults())); }

    /** As {@link #doctor()}, asking {@code rpcUrlOrMoniker} instead. */
    public static void doctor(String rpcUrlOrMoniker) {
        System.out.print(Doctor.report(Doctor.Options.defaults().withRpc(rpcUrlOrMoniker)));
    }

    public Cluster cluster() { return cluster; }

    /** The clock runs opened here read "now" from: the system clock, or the logical one of a reproducible chain. */
    public java.time.Clock clock() { return clock; }

    public Wallet wallet() {
        if (wallet == null) throw new IllegalStateException("no wallet: use Psyche.connect(rpc, walletFile) to sign");
        return wallet;
    }

    /** Another keypair file as a wallet on this cluster (created when absent). */
    public Wallet wallet(Path keypairFile) {
        Wallet.ensureKeyFile(keypairFile);
        return Wallet.load(keypairFile, cluster);
    }

    /** A throw-away wallet (not saved), e.g. a simulated client. */
    public Wallet newWallet() { return new Wallet(Keypair.generate(), cluster); }

    /** Creates a run owned by the wallet (client version "test", join authority = the wallet). */
    public Run createRun(String runId) { return createRun(CreateRun.Params.of(runId, "test")); }

    public Run createRun(CreateRun.Params params) {
        CreateRun.execute(cluster, wallet().keypair(), params);
        return run(params.runId());
    }

    /** A handle on an existing run (checked on first use). */
    public Run run(String runId) {
        Run r = new Run(cluster, wallet, runId, clock);
        handles.add(r);
        return r;
    }

    /** Authorizes everyone ({@code grantee = null}) or one key to join the wallet's runs. */
    public Psyche authorize(Pubkey grantee) {
        JoinAuthorizations.create(cluster, wallet().keypair(), grantee == null ? JoinAuthorizations.EVERYONE : grantee);
        return this;
    }

    /** Creates a test collateral mint with the wallet as authority. */
    public Pubkey createTestMint(int decimals) { return TestTokens.createMint(cluster, wallet().keypair(), decimals); }

    /** Mints test tokens (native units) of a mint the wallet controls to {@code to}. */
    public Psyche mintTo(Pubkey mint, Pubkey to, long amount) {
        TestTokens.mintTo(cluster, wallet().keypair(), mint, to, amount);
        return this;
    }

    /** All runs of the coordinator program: id, state, accounts and authorities. */
    public Table runs() {
        List<ListRuns.Listed> all = ListRuns.execute(cluster, Optional.empty());
        StringColumn id = StringColumn.create("run_id"), account = StringColumn.create("coordinator_account"),
                main = StringColumn.create("main_authority"), join = StringColumn.create("join_authority");
        tech.tablesaw.api.StringColumn state = StringColumn.create("state");
        for (ListRuns.Listed l : all) {
            id.append(l.runId());
            state.append(l.state().display());
            account.append(l.account().toBase58());
            main.append(l.mainAuthority().map(Pubkey::toBase58).orElse(""));
            join.append(l.joinAuthority().map(Pubkey::toBase58).orElse(""));
        }
        return Table.create("runs", id, state, account, main, join);
    }

    /** The RPC URL in use. */
    public String rpcUrl() { return cluster.rpc().endpoints().get(0).toString(); }

    @Override public void close() {
        handles.forEach(Run::close);
        if (wallet != null) wallet.close();
        cluster.close();
        if (startedChain != null) startedChain.close();
    }

    /** Where this handle points: the RPC endpoint (and the local chain it started), the wallet and its balance, the runs opened. */
    @Override public psyche.display.Html view() {
        java.util.List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[]{"rpc", rpcUrl()});
        if (startedChain != null) rows.add(new String[]{"local chain", "started by this handle (closes with it)"});
        if (wallet == null) {
            rows.add(new String[]{"wallet", "none (read-only): connect with a keypair file to change runs"});
        } else {
            rows.add(new String[]{"wallet", wallet.pubkey().toBase58()});
            String balance;
            try {
                balance = psyche.display.Numbers.number(wallet.balance()) + " SOL";
            } catch (RuntimeException e) {
                balance = "unknown (" + e.getMessage() + ")";
            }
            rows.add(new String[]{"balance", balance});
        }
        rows.add(new String[]{"runs opened", handles.isEmpty() ? "none yet"
                : handles.stream().map(Run::id).distinct().collect(java.util.stream.Collectors.joining(", "))});
        return psyche.display.Cards.keyValues(startedChain != null ? "Psyche — local chain" : "Psyche", rows);
    }

    @Override public String toString() { return "Psyche[" + rpcUrl() + (wallet != null ? ", " + wallet : "") + "]"; }
}
