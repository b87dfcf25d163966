package psyche.frames;

import psyche.config.CoordinatorConfig;
import psyche.config.ValidationReport;
import psyche.config.Violation;
import psyche.coordinator.Client;
import psyche.coordinator.ClientsState;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.EpochState;
import psyche.coordinator.InstanceState;
import psyche.coordinator.Round;
import psyche.coordinator.RunState;
import psyche.coordinator.SolanaClient;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;
import psyche.display.Numbers;
import psyche.display.TokenUnits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Builds Tablesaw tables from a run's decoded state. Pure: the caller passes {@code now}. */
public final class Frames {
    /** Category of a registered client that is not part of the current epoch. */
    public static final String NOT_IN_EPOCH = "NotInEpoch";

    private Frames() {}

    /** One row: state, epoch, step, clients, pause, rates (in points) and time in state vs the timeout. */
    public static Table runSummary(InstanceState instance, Instant now) {
        return runSummary(instance, now, TokenUnits.POINTS);
    }

    /**
     * One row: state, epoch, step, clients, pause, rates in {@code units} (a mint's units for a treasurer run,
     * {@link TokenUnits#NATIVE} for raw amounts) and how long the run has been in its state vs the timeout.
     * Shown vertically (one line per column) by the kernel and {@link #vertical}.
     */
    public static Table runSummary(InstanceState instance, Instant now, TokenUnits units) {
        CoordinatorState c = instance.coordinator();
        ClientsState registry = instance.clientsState();
        long nowSeconds = now.getEpochSecond();
        Table t = Table.create("run " + c.runId());
        t.addColumns(
                StringColumn.create("run_id", c.runId()),
                StringColumn.create("state", c.runState().name()),
                IntColumn.create("epoch", new int[]{c.progress().epoch()}),
                LongColumn.create("step", c.progress().step()),
                LongColumn.create("total_steps", c.config().totalSteps()),
                IntColumn.create("clients", new int[]{c.epochState().clients().size()}),
                IntColumn.create("exited_clients", new int[]{c.epochState().exitedClients().size()}),
                IntColumn.create("registered_clients", new int[]{registry.clients().size()}),
                IntColumn.create("pending_clients", new int[]{pendingCount(registry)}),
                BooleanColumn.create("paused", new boolean[]{c.runState() == RunState.Paused}),
                BooleanColumn.create("pending_pause", new boolean[]{c.pendingPause()}),
                amount("earning_rate", units, registry.currentEpochRates().earningRateTotalShared()),
                amount("slashing_rate", units, registry.currentEpochRates().slashingRatePerClient()),
                amount("future_earning_rate", units, registry.futureEpochRates().earningRateTotalShared()),
                amount("future_slashing_rate", units, registry.futureEpochRates().slashingRatePerClient()),
                InstantColumn.create("state_since", new Instant[]{Instant.ofEpochSecond(c.runStateStartUnixTimestamp())}),
                LongColumn.create("seconds_in_state", Math.max(0, nowSeconds - c.runStateStartUnixTimestamp())),
                optionalLongColumn("state_timeout_seconds", stateTimeout(c)),
                optionalLongColumn("seconds_in_epoch", c.epochState().startTimestamp() == 0
                        ? OptionalLong.empty() : OptionalLong.of(Math.max(0, nowSeconds - c.epochState().startTimestamp()))),
                LongColumn.create("epoch_time", c.config().epochTime()),
                StringColumn.create("client_version", instance.clientVersion()));
        return formatted(t);
    }

    /**
     * The timeout of the current state in seconds ({@code waiting_for_members_extra_time}, {@code warmup_time},
     * {@code max_round_train_time}, {@code round_witness_time}, {@code cooldown_time}); none while halted.
     */
    public static OptionalLong stateTimeout(CoordinatorState c) {
        CoordinatorConfig k = c.config();
        return switch (c.runState()) {
            case WaitingForMembers -> OptionalLong.of(k.waitingForMembersExtraTime());
            case Warmup -> OptionalLong.of(k.warmupTime());
            case RoundTrain -> OptionalLong.of(k.maxRoundTrainTime());
            case RoundWitness -> OptionalLong.of(k.roundWitnessTime());
            case Cooldown -> OptionalLong.of(k.cooldownTime());
            case Uninitialized, Finished, Paused -> OptionalLong.empty();
        };
    }

    /**
     * Every registered client with its standing in the current epoch (Healthy, Dropped, Withdrawn, Ejected, or
     * {@value #NOT_IN_EPOCH}), whether it is pending for the next epoch, and its points.
     */
    public static Table clients(InstanceState instance) {
        return clients(instance, TokenUnits.POINTS);
    }

    /** {@link #clients(InstanceState)} with earned and slashed amounts in {@code units}. */
    public static Table clients(InstanceState instance, TokenUnits units) {
        EpochState epoch = instance.coordinator().epochState();
        Map<psyche.coordinator.Pubkey, Client> inEpoch = new HashMap<>();
        epoch.exitedClients().forEach(cl -> inEpoch.put(cl.id().signer(), cl));
        epoch.clients().forEach(cl -> inEpoch.put(cl.id().signer(), cl)); // current entry wins over an older exit
        long nextActive = instance.clientsState().nextActive();

        StringColumn id = StringColumn.create("id");
        StringColumn pubkey = StringColumn.create("pubkey");
        StringColumn state = StringColumn.create("epoch_state");
        BooleanColumn current = BooleanColumn.create("in_epoch");
        LongColumn exitedHeight = LongColumn.create("exited_height");
        BooleanColumn pending = BooleanColumn.create("pending");
        LongColumn active = LongColumn.create("active");
        List<Long> earnedNative = new ArrayList<>();
        List<Long> slashedNative = new ArrayList<>();
        for (SolanaClient sc : instance.clientsState().clients()) {
            Client cl = inEpoch.get(sc.id().signer());
            boolean stillIn = cl != null && epoch.clients().stream().anyMatch(x -> x.id().equals(sc.id()));
            id.append(sc.id().shortId());
            pubkey.append(sc.id().signer().toBase58());
            state.append(cl == null ? NOT_IN_EPOCH : cl.state().name());
            current.append(stillIn);
            if (cl != null && !stillIn) exitedHeight.append(cl.exitedHeight()); else exitedHeight.appendMissing();
            pending.append(sc.active() == nextActive);
            active.append(sc.active());
            earnedNative.add(sc.earned());
            slashedNative.add(sc.slashed());
        }
        Column<?> earned = amounts("earned", units, earnedNative);
        Column<?> slashed = amounts("slashed", units, slashedNative);
        return formatted(Table.create("clients of " + instance.coordinator().runId() + (units == TokenUnits.POINTS ? "" : " (amounts in " + units.name() + ")"))
                .addColumns(id, pubkey, state, current, exitedHeight, pending, active, earned, slashed));
    }

    /** The rounds stored in the epoch's ring (at most 4), oldest first, with their data ranges and witness counts. */
    public static Table rounds(CoordinatorState c) {
        EpochState e = c.epochState();
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < e.rounds().size(); i++) if (e.rounds().get(i).clientsLen() > 0) slots.add(i);
        slots.sort(Comparator.comparingLong(i -> e.rounds().get(i).height()));
        long maxSeqLen = c.model().maxSeqLen();

        LongColumn height = LongColumn.create("height");
        IntColumn slot = IntColumn.create("slot");
        LongColumn dataIndex = LongColumn.create("data_index");
        IntColumn batchSize = IntColumn.create("batch_size");
        LongColumn lastIndex = LongColumn.create("last_data_index");
        IntColumn witnesses = IntColumn.create("witnesses");
        IntColumn clients = IntColumn.create("clients");
        LongColumn seed = LongColumn.create("random_seed");
        BooleanColumn current = BooleanColumn.create("current");
        for (int s : slots) {
            Round r = e.rounds().get(s);
            int size = c.config().globalBatchSize(r.dataIndex() * maxSeqLen);
            height.append(r.height());
            slot.append(s);
            dataIndex.append(r.dataIndex());
            batchSize.append(size);
            lastIndex.append(r.dataIndex() + size - 1);
            witnesses.append(r.witnesses().size());
            clients.append(r.clientsLen());
            seed.append(r.randomSeed());
            current.append(s == e.roundsHead() && c.runState().active());
        }
        return formatted(Table.create("rounds of " + c.runId())
                .addColumns(height, slot, dataIndex, batchSize, lastIndex, witnesses, clients, seed, current));
    }

    /** One row of treasury figures in native units with the derived unclaimed, missing, surplus and runway in epochs. */
    public static Table treasury(String runId, TreasuryFigures f) {
        return treasury(runId, f, TokenUnits.NATIVE);
    }

    /** One row of treasury figures in {@code units} (the mint's, as amounts were topped up) and the runway in epochs. */
    public static Table treasury(String runId, TreasuryFigures f, TokenUnits units) {
        return formatted(Table.create("treasury of " + runId + " (amounts in " + units.name() + ")").addColumns(
                amount("funded", units, f.funded()),
                amount("claimable", units, f.claimable()),
                amount("claimed", units, f.claimed()),
                amount("unclaimed", units, f.unclaimed()),
                amount("missing", units, f.missing()),
                amount("surplus", units, f.surplus()),
                amount("burn_per_epoch", units, f.burnPerEpoch()),
                DoubleColumn.create("runway_epochs", f.runwayEpochs())));
    }

    /** One row per run: id, name, state, progress and clients. */
    public static Table runs(List<InstanceState> instances) {
        StringColumn runId = StringColumn.create("run_id");
        StringColumn name = StringColumn.create("name");
        StringColumn state = StringColumn.create("state");
        IntColumn epoch = IntColumn.create("epoch");
        LongColumn step = LongColumn.create("step");
        LongColumn total = LongColumn.create("total_steps");
        IntColumn clients = IntColumn.create("clients");
        IntColumn registered = IntColumn.create("registered_clients");
        StringColumn version = StringColumn.create("client_version");
        for (InstanceState i : instances) {
            CoordinatorState c = i.coordinator();
            runId.append(c.runId());
            name.append(i.metadata().name());
            state.append(c.runState().name());
            epoch.append(c.progress().epoch());
            step.append(c.progress().step());
            total.append(c.config().totalSteps());
            clients.append(c.epochState().clients().size());
            registered.append(i.clientsState().clients().size());
            version.append(i.clientVersion());
        }
        return formatted(Table.create("runs").addColumns(runId, name, state, epoch, step, total, clients, registered, version));
    }

    /** Every finding of a config check: severity, TOML key path, offending value, rule and fix. */
    public static Table violations(ValidationReport report) {
        StringColumn severity = StringColumn.create("severity");
        StringColumn key = StringColumn.create("key_path");
        StringColumn value = StringColumn.create("value");
        StringColumn rule = StringColumn.create("rule");
        StringColumn fix = StringColumn.create("fix");
        for (Violation v : report.violations()) {
            severity.append(v.severity().name());
            key.append(v.keyPath());
            value.append(v.value());
            rule.append(v.rule());
            fix.append(v.fix());
        }
        return Table.create(report.violations().isEmpty() ? "config check: no findings" : "config check findings")
                .addColumns(severity, key, value, rule, fix);
    }

    /**
     * Sets the number formatting policy ({@link Numbers}) on every numeric column of {@code table} that has none
     * of ours yet: learning rates in scientific notation, losses with 4 decimals, counts grouped, seeds unsigned.
     * Returns the same table, so {@code print()} and renderers show people's numbers.
     */
    public static Table formatted(Table table) {
        for (Column<?> c : table.columns()) {
            if (c instanceof NumericColumn<?> n && !(printFormatter(n) instanceof PolicyFormatter)) {
                n.setPrintFormatter(PolicyFormatter.forColumn(c.name()));
            }
        }
        return table;
    }

    /**
     * A one-row table turned on its side: one row per column ({@code field}, {@code value}), values formatted by
     * the policy, so a 21-column summary reads top to bottom instead of running off the page.
     */
    public static Table vertical(Table oneRow) {
        StringColumn field = StringColumn.create("field");
        StringColumn value = StringColumn.create("value");
        Table source = formatted(oneRow.rowCount() == 0 ? oneRow : oneRow.first(1));
        for (Column<?> c : source.columns()) {
            field.append(c.name());
            value.append(source.rowCount() == 0 ? "" : c.getString(0));
        }
        return Table.create(oneRow.name()).addColumns(field, value);
    }

    /** The first {@code rows} rows of {@code table}, copied, with the policy's formatters: what a renderer shows. */
    public static Table forDisplay(Table table, int rows) {
        return formatted(table.first(Math.max(0, Math.min(rows, table.rowCount()))));
    }

    /** The column's print formatter (Tablesaw keeps the getter protected), or null where it cannot be read. */
    private static Object printFormatter(NumericColumn<?> c) {
        try {
            java.lang.reflect.Method m = tech.tablesaw.api.NumberColumn.class.getDeclaredMethod("getPrintFormatter");
            m.setAccessible(true);
            return m.invoke(c);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Column<?> amount(String name, TokenUnits units, long nativeUnits) {
        return amounts(name, units, List.of(nativeUnits));
    }

    /** Token amounts: a long column of points or native units, else a double column in the mint's units. */
    private static Column<?> amounts(String name, TokenUnits units, List<Long> nativeUnits) {
        if (units.decimals() == 0) return LongColumn.create(name, nativeUnits.stream().mapToLong(Long::longValue).toArray());
        DoubleColumn c = DoubleColumn.create(name, nativeUnits.stream().mapToDouble(units::value).toArray());
        c.setPrintFormatter(new PolicyFormatter(Numbers::tokens, Numbers::count));
        return c;
    }

    /** Tablesaw's print formatter backed by {@link Numbers}; missing values print empty. */
    static final class PolicyFormatter extends NumberColumnFormatter {
        private final java.util.function.Function<Double, String> doubles;
        private final java.util.function.LongFunction<String> longs;

        PolicyFormatter(java.util.function.Function<Double, String> doubles, java.util.function.LongFunction<String> longs) {
            this.doubles = doubles;
            this.longs = longs;
        }

        static PolicyFormatter forColumn(String name) {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            java.util.function.LongFunction<String> longs = n.contains("seed") ? Numbers::unsignedPlain
                    : n.contains("bytes") ? Numbers::bytes : Numbers::count;
            return new PolicyFormatter(Numbers.forColumn(name), longs);
        }

        @Override public String format(double value) { return Double.isNaN(value) ? "" : doubles.apply(value); }
        @Override public String format(float value) { return Float.isNaN(value) ? "" : doubles.apply((double) value); }
        @Override public String format(long value) { return value == Long.MIN_VALUE ? "" : longs.apply(value); }
        @Override public String format(int value) { return value == Integer.MIN_VALUE ? "" : longs.apply(value); }
        @Override public String format(short value) { return value == Short.MIN_VALUE ? "" : longs.apply(value); }
    }

    private static int pendingCount(ClientsState registry) {
        return (int) registry.clients().stream().filter(c -> c.active() == registry.nextActive()).count();
    }

    private static LongColumn optionalLongColumn(String name, OptionalLong value) {
        LongColumn col = LongColumn.create(name);
        if (value.isPresent()) col.append(value.getAsLong()); else col.appendMissing();
        return col;
    }
}
