package psyche;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.node.ObjectNode;

import psyche.config.RunConfig;
import psyche.coordinator.InstanceState;
import psyche.coordinator.Pubkey;
import psyche.diagnose.Diagnosis;
import psyche.display.TokenUnits;
import psyche.frames.Frames;
import psyche.history.History;
import psyche.history.HistoryRecorder;
import psyche.history.HistoryStore;
import psyche.monitor.Monitor;
import psyche.ops.ClaimRewards;
import psyche.ops.CloseRun;
import psyche.ops.Cluster;
import psyche.ops.DiagnoseRun;
import psyche.ops.JsonDumps;
import psyche.ops.RunSnapshot;
import psyche.ops.SetFutureEpochRates;
import psyche.ops.SetPaused;
import psyche.ops.TickRun;
import psyche.ops.TopUpRewards;
import psyche.ops.UpdateConfig;
import psyche.client.ChainClients;
import tech.tablesaw.api.Table;

/**
 * A handle on one run: read it ({@link #state()}, frames, JSON dumps, {@link #diagnose}), steer it as the wallet
 * that owns it ({@link #updateConfig}, {@link #resume()}, {@link #pause()}, rates, top-up, {@link #deleteOnChain()}),
 * follow it ({@link #record}, {@link #history()}, {@link #watch()}). Every call goes to the chain; nothing is cached.
 * {@link #close()} releases what the handle holds (history recording) and leaves the run on chain as it is.
 */
public final class Run implements AutoCloseable, psyche.display.Viewable {
    private final Cluster cluster;
    private final Wallet wallet;
    private final String runId;
    private HistoryStore store;
    private HistoryRecorder recorder;
    private final java.time.Clock clock;

    Run(Cluster cluster, Wallet wallet, String runId) { this(cluster, wallet, runId, java.time.Clock.systemUTC()); }

    /** {@code clock}: where "now" comes from (the logical clock of {@code Psyche.localReproducible(.., clock)}). */
    Run(Cluster cluster, Wallet wallet, String runId, java.time.Clock clock) {
        this.cluster = Objects.requireNonNull(cluster);
        this.wallet = wallet;
        this.runId = Objects.requireNonNull(runId);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The clock this handle reads "now" from: the system clock, or a reproducible chain's logical clock. */
    public java.time.Clock clock() { return clock; }

    public String id() { return runId; }

    /** The cluster it is read from (its RPC client), e.g. for clients that join this run. */
    public Cluster cluster() { return cluster; }

    /** Everything read in one go: instance, coordinator account, treasury. */
    public RunSnapshot snapshot() { return RunSnapshot.fetch(cluster, runId, OptionalLong.empty()); }

    public InstanceState state() { return snapshot().state(); }

    /** One row (shown vertically in notebooks): state, progress, clients, rates in the collateral mint's units. */
    public Table summary() { return summary(units(snapshot())); }

    /** {@link #summary()} with amounts in {@code units}, e.g. {@link TokenUnits#NATIVE} for raw native units. */
    public Table summary(TokenUnits units) { return Frames.runSummary(state(), clock.instant(), units); }

    /** Registered clients with their standing; earned and slashed in the collateral mint's units (points without treasurer). */
    public Table clients() { return clients(units(snapshot())); }

    public Table clients(TokenUnits units) { return Frames.clients(state(), units); }

    /** The unit amounts of this run are entered and shown in: the collateral mint's for a treasurer run, else points. */
    public TokenUnits units() { return units(snapshot()); }

    private static TokenUnits units(RunSnapshot s) {
        return s.treasury().map(t -> TokenUnits.ofMint(t.mint().decimals())).orElse(TokenUnits.POINTS);
    }

    public Table rounds() { return Frames.rounds(state().coordinator()); }

    /**
     * The treasury frame (funded, claimable, claimed, runway) in the collateral mint's units, as {@link #topUp} takes
     * them; empty table for a run without treasurer.
     */
    public Table treasury() {
        RunSnapshot s = snapshot();
        return treasury(units(s));
    }

    /** {@link #treasury()} in {@code units}, e.g. {@link TokenUnits#NATIVE}. */
    public Table treasury(TokenUnits units) {
        RunSnapshot s = snapshot();
        return s.treasuryFigures().map(f -> Frames.treasury(runId, f, units)).orElseGet(() -> Table.create(runId + " treasury"));
    }

    public Run updateConfig(Path toml) { return updateConfig(UpdateConfig.Params.of(runId).withConfigPath(toml)); }

    public Run updateConfig(RunConfig config) { return updateConfig(UpdateConfig.Params.of(runId).withConfig(config)); }

    public Run updateConfig(UpdateConfig.Params params) {
        UpdateConfig.execute(cluster, signer(), params);
        return this;
    }

    public Run resume() {
        SetPaused.execute(cluster, signer(), runId, OptionalLong.empty(), false);
        return this;
    }

    public Run pause() {
        SetPaused.execute(cluster, signer(), runId, OptionalLong.empty(), true);
        return this;
    }

    /** Future epoch rates: collateral UI units for a treasurer run, points otherwise. */
    public Run setFutureRates(double earningTotalShared, double slashingPerClient) {
        SetFutureEpochRates.execute(cluster, signer(), runId, OptionalLong.empty(), OptionalDouble.of(earningTotalShared),
                OptionalDouble.of(slashingPerClient));
        return this;
    }

    public Run tick() { return tick(1, Duration.ZERO); }

    public Run tick(int count, Duration interval) {
        TickRun.execute(cluster, signer(), runId, count, interval);
        return this;
    }

    /** Tops the treasury up by {@code uiAmount} collateral tokens; the result says whether it is still underfunded. */
    public TopUpRewards.Result topUp(double uiAmount) {
        return TopUpRewards.execute(cluster, signer(), runId, OptionalLong.empty(), TopUpRewards.Amount.ui(uiAmount));
    }

    /** {@code user} claims all it can. */
    public ClaimRewards.Result claim(Wallet user) {
        return ClaimRewards.execute(cluster, user.keypair(), runId, OptionalLong.empty(), OptionalLong.empty());
    }

    /**
     * Simulated client {@code client} claims all it earned, signing with its own key inside the client (the key is
     * never handed out): what a participant does with {@code run-manager treasurer-claim-rewards}.
     */
    public ClaimRewards.Result claim(psyche.client.ChainClient client) { return client.claimRewards(cluster); }

    /**
     * {@code reliable} simulated clients (fresh funded keys) joining and training this run on the chain, stepping
     * every 500 ms in the background for at most {@code limit}; close them to stop.
     */
    public ChainClients simulateClients(int reliable, Duration limit) {
        return ChainClients.builder(cluster.rpc(), runId).optReliable(reliable).optTimeLimit(limit).build().start();
    }

    /** json-dump-run. */
    public ObjectNode dumpJson() { return JsonDumps.run(cluster, runId, OptionalLong.empty()); }

    /** json-dump-user. */
    public ObjectNode dumpUser(Pubkey user) { return JsonDumps.user(cluster, runId, OptionalLong.empty(), user); }

    /**
     * Deletes the run on chain ({@code run-manager close-run}): closes its coordinator accounts (halted runs only)
     * and returns their rent to the wallet. Cannot be undone.
     */
    public void deleteOnChain() { CloseRun.execute(cluster, signer(), runId); }

    /** Releases the handle: stops recording and closes the history store. The run itself stays on chain. */
    @Override public void close() { stopRecording(); }

    /** Findings with what to do next; {@code keys}: clients whose join authorization to check. */
    public Diagnosis diagnose(Pubkey... keys) {
        return DiagnoseRun.execute(cluster, runId, Arrays.asList(keys), store == null ? Optional.empty() : Optional.of(store.history(runId)),
                false, clock.instant());
    }

    /** Live status card and charts until the run halts or two minutes pass. */
    public Monitor.Outcome watch() { return watch(Monitor.Options.defaults()); }

    public Monitor.Outcome watch(Monitor.Options options) {
        if (clock instanceof psyche.sim.LogicalClock) {
            throw new IllegalStateException("run '" + runId + "' is on a logical clock, which moves only when clients step:"
                    + " watch it with run.watch(options, clients), which steps them between frames");
        }
        Monitor.Options withUnits = options.units() == null ? options.withUnits(units()) : options;
        return Monitor.watch(this::state, withUnits, store, clock);
    }

    /**
     * Watches while {@code stepping} advances the run: between frames the clients step until the monitor's interval
     * has passed on their clock. On a logical clock ({@code Psyche.localReproducible(.., clock)}) the frames, and so
     * the last one a report keeps, are the same on every re-run; the limit is logical time too.
     */
    public Monitor.Outcome watch(Monitor.Options options, ChainClients stepping) {
        Objects.requireNonNull(stepping, "stepping");
        Monitor.Options withUnits = options.units() == null ? options.withUnits(units()) : options;
        return Monitor.watch(this::state, withUnits, store, clock, stepping::stepFor);
    }

    /** Starts recording this run's changes into {@code historyFile} every two seconds; stop with the returned recorder. */
    public HistoryRecorder record(Path historyFile) { return record(historyFile, Duration.ofSeconds(2)); }

    public synchronized HistoryRecorder record(Path historyFile, Duration interval) {
        if (recorder != null) recorder.close();
        if (store != null) store.close();
        store = HistoryStore.open(historyFile);
        java.util.function.Supplier<HistoryRecorder.Observation> source = () -> {
            RunSnapshot s = snapshot();
            return new HistoryRecorder.Observation(s.state(), s.treasuryFigures());
        };
        // on a logical clock, polled between client steps at logical instants: the same history on every re-run
        recorder = clock instanceof psyche.sim.LogicalClock logical
                ? HistoryRecorder.observing(store, source, interval, logical)
                : HistoryRecorder.observing(store, source, interval);
        return recorder;
    }

    /** Stops recording and closes the history store (the {@link Psyche} that made this handle does it on close). */
    public synchronized void stopRecording() {
        if (recorder != null) recorder.close();
        if (store != null) store.close();
        recorder = null;
        store = null;
    }

    /** What {@link #record} has stored so far. */
    public History history() {
        if (store == null) throw new IllegalStateException("no history for run '" + runId + "': call record(Path) first");
        return store.history(runId);
    }

    private psyche.chain.Keypair signer() {
        if (wallet == null) throw new IllegalStateException("no wallet: connect with a keypair to change run '" + runId + "'");
        return wallet.keypair();
    }

    /**
     * A card read from the chain now: state, epoch and step, clients, rates and (treasurer run) the treasury in the
     * collateral mint's units. A failed read shows what failed instead.
     */
    @Override public psyche.display.Html view() {
        RunSnapshot s;
        try {
            s = snapshot();
        } catch (RuntimeException e) {
            String msg = "Run " + runId + ": could not read it from " + cluster.rpc().endpoints() + ": " + e.getMessage();
            return new psyche.display.Html("<div style=\"color:#b00\">" + psyche.display.Html.escape(msg) + "</div>", msg);
        }
        TokenUnits units = units(s);
        psyche.display.Html card = psyche.display.Cards.run(s.state(), clock.instant(), units);
        java.util.List<psyche.display.Html> parts = new java.util.ArrayList<>(java.util.List.of(card));
        s.treasuryFigures().ifPresent(f -> {
            String line = "treasury: " + units.formatWithName(f.funded()) + " funded, " + units.formatWithName(f.unclaimed())
                    + " earned and unclaimed, " + (Double.isInfinite(f.runwayEpochs()) ? "no burn"
                    : "runway " + psyche.display.Numbers.number(Math.floor(f.runwayEpochs() * 10) / 10) + " epochs");
            parts.add(new psyche.display.Html("<div style=\"font-family:sans-serif;font-size:13px;color:#333\">"
                    + psyche.display.Html.escape(line) + "</div>", line));
        });
        if (wallet == null) parts.add(new psyche.display.Html("<div style=\"font-size:12px;color:#666\">read-only handle (no wallet)</div>",
                "read-only handle (no wallet)"));
        return psyche.display.Cards.stack(parts.toArray(psyche.display.Html[]::new));
    }

    /** {@code Run[id]}: short on purpose (it reads nothing); notebooks show {@link #view()}. */
    @Override public String toString() { return "Run[" + runId + "]"; }
}
