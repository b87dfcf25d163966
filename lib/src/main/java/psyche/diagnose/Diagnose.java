package psyche.diagnose;

import psyche.config.CoordinatorConfig;
import psyche.config.RunConfig;
import psyche.config.Validation;
import psyche.config.Violation;
import psyche.coordinator.Client;
import psyche.coordinator.ClientState;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.InstanceState;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunState;
import psyche.diagnose.Finding.Severity;
import psyche.display.TokenUnits;
import psyche.frames.Frames;
import psyche.frames.TreasuryFigures;
import psyche.history.History;
import tech.tablesaw.api.Table;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Answers the run owner FAQ's troubleshooting questions from facts. Pure: everything it looks at is passed in
 * ({@link Facts}), so the same call serves the notebook, the CLI and tests.
 */
public final class Diagnose {
    /** Seconds past a state's timeout before the run counts as stuck (clients tick every 500 ms when running). */
    public static final long STUCK_GRACE_SECONDS = 10;
    /** Runway below this many epochs is a warning. */
    public static final double LOW_RUNWAY_EPOCHS = 3.0;
    /** An epoch shorter than this share of {@code epoch_time} ended early. */
    public static final double EARLY_EPOCH_SHARE = 0.8;

    private Diagnose() {}

    /**
     * What is known about a run: its state and, optionally, history, treasury, authorization checks, config problems;
     * {@code units}: how token amounts are written (the collateral mint's units, as top-ups are typed; points without
     * treasurer; {@link TokenUnits#NATIVE} on request).
     */
    public record Facts(InstanceState instance, Instant now, Optional<History> history, Optional<TreasuryFigures> treasury,
                        Map<Pubkey, Boolean> joinAuthorizations, TokenUnits units) {
        public Facts(InstanceState instance, Instant now, Optional<History> history, Optional<TreasuryFigures> treasury,
                     Map<Pubkey, Boolean> joinAuthorizations) {
            this(instance, now, history, treasury, joinAuthorizations, TokenUnits.POINTS);
        }

        public Facts {
            Objects.requireNonNull(units, "units");
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(treasury, "treasury");
            joinAuthorizations = Map.copyOf(joinAuthorizations);
        }

        public static Builder builder() { return new Builder(); }

        /** Required: {@code setInstance}, {@code setNow}; the rest optional. */
        public static final class Builder {
            private InstanceState instance;
            private Instant now;
            private History history;
            private TreasuryFigures treasury;
            private final Map<Pubkey, Boolean> authorizations = new LinkedHashMap<>();
            private TokenUnits units = TokenUnits.POINTS;

            public Builder setInstance(InstanceState instance) { this.instance = instance; return this; }
            public Builder setNow(Instant now) { this.now = now; return this; }
            public Builder optHistory(History history) { this.history = history; return this; }
            public Builder optTreasury(TreasuryFigures treasury) { this.treasury = treasury; return this; }
            /** How token amounts are written (default: points, 1 per native unit). */
            public Builder optUnits(TokenUnits units) { this.units = Objects.requireNonNull(units, "units"); return this; }
            /** Whether {@code key} holds a valid join authorization for the run's join authority. */
            public Builder optJoinAuthorization(Pubkey key, boolean valid) { authorizations.put(key, valid); return this; }

            public Facts build() {
                if (instance == null) throw new IllegalStateException("Facts need the run's state: call setInstance(...)");
                if (now == null) throw new IllegalStateException("Facts need the current time: call setNow(...)");
                return new Facts(instance, now, Optional.ofNullable(history), Optional.ofNullable(treasury),
                        authorizations, units);
            }
        }
    }

    public static Diagnosis diagnose(Facts facts) {
        CoordinatorState c = facts.instance().coordinator();
        List<Finding> out = new ArrayList<>();
        runState(facts, c, out);
        stuck(facts, c, out);
        authorizations(facts, out);
        config(c, out);
        droppedClients(facts, c, out);
        facts.history().ifPresent(h -> earlyEpochs(h, c.config(), out));
        facts.treasury().ifPresent(t -> treasury(t, facts.units(), out));
        return new Diagnosis(c.runId(), out);
    }

    private static void runState(Facts facts, CoordinatorState c, List<Finding> out) {
        String run = c.runId();
        switch (c.runState()) {
            case Uninitialized -> out.add(new Finding(Severity.PROBLEM, "NOT_CONFIGURED", "the run has no config yet",
                    "state Uninitialized: no client can join",
                    "run-manager update-config --run-id " + run + " --config-path CONFIG.toml, then set-paused --resume"));
            case Paused -> out.add(new Finding(Severity.WARNING, "PAUSED", "the run is paused",
                    "state Paused since " + Instant.ofEpochSecond(c.runStateStartUnixTimestamp()),
                    "run-manager set-paused --run-id " + run + " --resume"));
            case Finished -> out.add(new Finding(Severity.INFO, "FINISHED", "the run has finished",
                    "step " + c.progress().step() + " reached total_steps " + c.config().totalSteps(),
                    "to train further: pause, update-config with a larger total_steps, resume"));
            case WaitingForMembers -> {
                long pending = pendingClients(facts.instance());
                int needed = c.config().initMinClients();
                if (pending < needed) {
                    out.add(new Finding(Severity.PROBLEM, "WAITING_FOR_CLIENTS",
                            "not enough clients have joined to start an epoch",
                            pending + " of init_min_clients=" + needed + " clients are pending (joined for the next epoch); "
                                    + facts.instance().clientsState().clients().size() + " registered in total",
                            "clients re-join every epoch on their own: check that enough are running and authorized "
                                    + "(diagnose with their keys), or lower init_min_clients (pause, update-config)"));
                }
            }
            default -> { }
        }
        if (c.pendingPause()) {
            out.add(new Finding(Severity.INFO, "PAUSE_PENDING", "the run will pause when this epoch ends",
                    "pending_pause is set while " + c.runState().display(), "nothing to do; resume afterwards with set-paused --resume"));
        }
        if (c.runState().active()) {
            long healthy = c.epochState().clients().stream().filter(cl -> cl.state() == ClientState.Healthy).count();
            if (healthy < c.config().minClients()) {
                out.add(new Finding(Severity.WARNING, "BELOW_MIN_CLIENTS", "fewer healthy clients than min_clients",
                        healthy + " healthy of min_clients=" + c.config().minClients() + "; the epoch ends at the next witness timeout",
                        "bring more clients, or lower min_clients (pause, update-config)"));
            }
        }
    }

    private static void stuck(Facts facts, CoordinatorState c, List<Finding> out) {
        OptionalLong timeout = Frames.stateTimeout(c);
        if (timeout.isEmpty()) return;
        long inState = facts.now().getEpochSecond() - c.runStateStartUnixTimestamp();
        boolean waitingCanStart = c.runState() != RunState.WaitingForMembers
                || pendingClients(facts.instance()) >= c.config().initMinClients();
        if (waitingCanStart && inState > timeout.getAsLong() + STUCK_GRACE_SECONDS) {
            out.add(new Finding(Severity.PROBLEM, "NEEDS_TICK",
                    "stuck in " + c.runState().display() + " past its timeout",
                    "in " + c.runState().display() + " for " + human(inState) + ", timeout " + human(timeout.getAsLong())
                            + ": the coordinator only moves when a transaction ticks it",
                    "send a tick: run-manager tick --run-id " + c.runId() + " (anyone can; running clients normally do, "
                            + "so none may be running)"));
        }
    }

    private static void authorizations(Facts facts, List<Finding> out) {
        facts.joinAuthorizations().forEach((key, valid) -> {
            if (!valid) {
                out.add(new Finding(Severity.PROBLEM, "MISSING_AUTHORIZATION", "a key cannot join this run",
                        key + " has no active join authorization from the run's join authority (neither for itself, "
                                + "as a delegate, nor a permissionless one)",
                        "the join authority runs: run-manager join-authorization-create --authorizer " + key));
            }
        });
    }

    /** The config on chain, checked like a config file (an Uninitialized run has none yet). */
    private static void config(CoordinatorState c, List<Finding> out) {
        if (c.runState() == RunState.Uninitialized) return;
        for (Violation v : Validation.check(new RunConfig(c.config(), c.model())).errors()) {
            out.add(new Finding(Severity.PROBLEM, "CONFIG_INVALID", "the run's config breaks a rule", v.render(),
                    v.fix() + " — then pause and run update-config with the fixed file"));
        }
    }

    private static void droppedClients(Facts facts, CoordinatorState c, List<Finding> out) {
        // Withdrawn is a client leaving (or the whole epoch being withdrawn), not a failure: only Dropped and
        // Ejected say that witnesses did not hear from a client.
        List<Client> gone = new ArrayList<>();
        c.epochState().clients().stream().filter(cl -> isFailure(cl.state().name())).forEach(gone::add);
        c.epochState().exitedClients().stream().filter(cl -> isFailure(cl.state().name())).forEach(gone::add);
        Map<String, Long> timesDropped = new TreeMap<>();
        facts.history().ifPresent(h -> {
            Table health = h.health();
            // Count the rounds each client was first seen non-healthy in, per epoch.
            Map<String, String> seen = new LinkedHashMap<>();
            for (int i = 0; i < health.rowCount(); i++) {
                String state = health.stringColumn("state").get(i);
                if (!isFailure(state)) continue;
                String key = health.stringColumn("client").get(i) + "@" + health.intColumn("epoch").get(i);
                if (seen.putIfAbsent(key, state) == null) timesDropped.merge(health.stringColumn("client").get(i), 1L, Long::sum);
            }
        });
        if (gone.isEmpty() && timesDropped.isEmpty()) return;
        String current = gone.stream().map(cl -> cl.id().shortId() + " " + cl.state()
                + (cl.exitedHeight() > 0 ? " (left at height " + cl.exitedHeight() + ")" : "")).collect(Collectors.joining(", "));
        String history = timesDropped.entrySet().stream().map(e -> e.getKey() + " in " + e.getValue() + " epoch(s)")
                .collect(Collectors.joining(", "));
        out.add(new Finding(Severity.WARNING, "CLIENTS_DROPPED", "clients are being dropped",
                (current.isEmpty() ? "" : "this epoch: " + current) + (current.isEmpty() || history.isEmpty() ? "" : "; ")
                        + (history.isEmpty() ? "" : "recorded: " + history),
                "health checks drop clients that witnesses did not hear from: give slow clients more time "
                        + "(max_round_train_time), ask their owners for logs, check their network"));
    }

    private static boolean isFailure(String clientState) {
        return clientState.equals(ClientState.Dropped.name()) || clientState.equals(ClientState.Ejected.name());
    }

    private static void earlyEpochs(History h, CoordinatorConfig config, List<Finding> out) {
        Table s = h.states();
        Map<Integer, Instant> warmupStart = new TreeMap<>();
        Map<Integer, Instant> cooldownStart = new TreeMap<>();
        Map<Integer, long[]> steps = new TreeMap<>();
        Map<Integer, Integer> minClients = new TreeMap<>();
        for (int i = 0; i < s.rowCount(); i++) {
            int epoch = s.intColumn("epoch").get(i);
            String state = s.stringColumn("state").get(i);
            Instant at = s.instantColumn("at").get(i);
            long step = s.longColumn("step").get(i);
            if (state.equals("Warmup")) warmupStart.putIfAbsent(epoch, at);
            if (state.equals("Cooldown")) cooldownStart.putIfAbsent(epoch, at);
            steps.computeIfAbsent(epoch, k -> new long[]{step, step})[1] = step;
            if (!state.equals("WaitingForMembers")) minClients.merge(epoch, s.intColumn("clients").get(i), Math::min);
        }
        List<String> early = new ArrayList<>();
        for (var e : cooldownStart.entrySet()) {
            Instant start = warmupStart.get(e.getKey());
            if (start == null) continue;
            long seconds = Duration.between(start, e.getValue()).getSeconds();
            if (seconds < config.epochTime() * EARLY_EPOCH_SHARE) {
                long[] st = steps.get(e.getKey());
                early.add(String.format(Locale.ROOT, "epoch %d lasted %s of epoch_time %s (%d steps, %d clients at least)",
                        e.getKey(), human(seconds), human(config.epochTime()), st[1] - st[0],
                        minClients.getOrDefault(e.getKey(), 0)));
            }
        }
        if (early.isEmpty()) return;
        out.add(new Finding(Severity.WARNING, "EPOCHS_ENDING_EARLY", "epochs end before epoch_time",
                String.join("; ", early),
                "an epoch ends early when healthy clients fall below min_clients=" + config.minClients()
                        + " or a round gets fewer witnesses than the quorum (witness_nodes=" + config.witnessNodes()
                        + "): keep more clients, lower min_clients, or give witnesses more time (round_witness_time)"));
    }

    private static void treasury(TreasuryFigures t, TokenUnits u, List<Finding> out) {
        if (t.missing() > 0) {
            out.add(new Finding(Severity.PROBLEM, "TREASURY_UNDERFUNDED", "clients cannot claim all they earned",
                    u.formatWithName(t.unclaimed()) + " unclaimed but only " + u.formatWithName(t.funded()) + " funded (missing "
                            + u.formatWithName(t.missing()) + ")",
                    "top up: run-manager treasurer-top-up-rewards --collateral-amount AMOUNT"));
        } else if (t.runwayEpochs() < LOW_RUNWAY_EPOCHS) {
            out.add(new Finding(Severity.WARNING, "TREASURY_LOW", "the treasury is running out",
                    String.format(Locale.ROOT, "surplus %s covers %.1f epochs at %s per epoch", u.formatWithName(t.surplus()),
                            t.runwayEpochs(), u.formatWithName(t.burnPerEpoch())),
                    "top up with treasurer-top-up-rewards, or lower the rate with set-future-epoch-rates"));
        }
    }

    private static long pendingClients(InstanceState s) {
        long next = s.clientsState().nextActive();
        return s.clientsState().clients().stream().filter(cl -> cl.active() == next).count();
    }

    static String human(long seconds) {
        if (seconds < 120) return seconds + " s";
        if (seconds < 7200) return (seconds / 60) + " min";
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600.0);
    }
}
