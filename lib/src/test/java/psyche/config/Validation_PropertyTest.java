package psyche.config;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random valid configs validate clean and round-trip; random mutations of their TOML or their values only ever give
 * violations or {@link ConfigException}, never another exception.
 */
class Validation_PropertyTest {
    private static final long U32 = 0xFFFF_FFFFL;

    // ---- generators of configs that satisfy every rule ----

    private static Arbitrary<String> text(int maxChars) {
        // letters, digits, URL punctuation and a 3-byte character; maxChars * 3 bytes stays within each limit
        return Arbitraries.strings().withChars("abcxyzABC0189-_./:€").ofMinLength(1).ofMaxLength(maxChars);
    }

    private static Arbitrary<CoordinatorConfig> coordinatorConfigs() {
        Arbitrary<long[]> timing = Arbitraries.longs().between(2, 1_000_000).flatMap(epoch ->
                Combinators.combine(Arbitraries.longs().between(0, epoch - 1), Arbitraries.longs().between(1, epoch - 1),
                        Arbitraries.longs().between(1, 100_000), Arbitraries.longs().between(1, 100_000))
                        .as((warmup, train, witness, cooldown) -> new long[] {epoch, warmup, train, witness, cooldown}));
        Arbitrary<int[]> clients = Arbitraries.integers().between(1, 256).flatMap(min ->
                Combinators.combine(Arbitraries.integers().between(min, 256), Arbitraries.integers().between(0, Math.min(min, 32)))
                        .as((init, witnesses) -> new int[] {init, min, witnesses}));
        // joins stop when registered clients reach global_batch_size_end, so it must exceed init_min_clients
        Arbitrary<int[][]> clientsAndBatches = clients.flatMap(c -> Arbitraries.integers().between(1, 65535).flatMap(start ->
                Arbitraries.integers().between(Math.max(start, c[0] + 1), 65535).map(end -> new int[][] {c, {start, end}})));
        return Combinators.combine(timing, clientsAndBatches, Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.longs().between(1, U32), Arbitraries.integers().between(1, 255))
                .as((t, cb, warmupTokens, steps, extra) -> new CoordinatorConfig(t[1], t[4], t[2], t[3], warmupTokens,
                        t[0], steps, cb[0][0], cb[0][1], cb[0][2], cb[1][0], cb[1][1], 0, extra));
    }

    private static Arbitrary<Checkpoint> checkpoints() {
        Arbitrary<HubRepo> hub = Combinators.combine(text(21), text(21).optional()).as(HubRepo::new);
        Arbitrary<GcsRepo> gcs = Combinators.combine(text(21), text(21).optional()).as(GcsRepo::new);
        return Arbitraries.oneOf(hub.map(Checkpoint.Hub::new), hub.map(Checkpoint.P2P::new), gcs.map(Checkpoint.Gcs::new),
                gcs.map(Checkpoint.P2PGcs::new));
    }

    private static Arbitrary<DataLocation> dataLocations() {
        Arbitrary<Shuffle> shuffle = Arbitraries.oneOf(Arbitraries.just(new Shuffle.DontShuffle()),
                Arbitraries.bytes().array(byte[].class).ofSize(32).map(Shuffle.Seeded::new));
        Arbitrary<HttpLocation> location = Arbitraries.oneOf(
                text(64).map(u -> (HttpLocation) new HttpLocation.SingleUrl(u)),
                Combinators.combine(text(10), text(10), Arbitraries.longs().between(0, U32), Arbitraries.integers().between(0, 255),
                        Arbitraries.longs().between(1, U32)).as((a, b, start, pad, n) -> new HttpLocation.NumberedFiles(a + "{}" + b, start, pad, n)),
                Combinators.combine(text(21), Arbitraries.oneOf(text(64), Arbitraries.just(""))).as((bucket, dir) -> (HttpLocation) new HttpLocation.Gcp(bucket, dir)));
        return Arbitraries.oneOf(
                text(21).map(DataLocation.Server::new),
                Combinators.combine(location, Arbitraries.of(TokenSize.class), shuffle).as(DataLocation.Http::new),
                text(64).map(DataLocation.WeightedHttp::new),
                text(64).map(DataLocation.Preprocessed::new));
    }

    private static Arbitrary<Double> lrs() { return Arbitraries.doubles().between(0, 1); }

    private static Arbitrary<LrSchedule> lrSchedules(long totalSteps) {
        Arbitrary<LrSchedule> constant = Combinators.combine(lrs(), lrs(), Arbitraries.longs().between(0, U32))
                .as(LrSchedule.Constant::new);
        Arbitrary<LrSchedule> linear = Combinators.combine(lrs(), lrs(), lrs(), Arbitraries.longs().between(0, totalSteps))
                .as((b, i, f, w) -> new LrSchedule.Linear(b, i, f, w, totalSteps));
        Arbitrary<LrSchedule> cosine = Combinators.combine(lrs(), lrs(), lrs(), Arbitraries.longs().between(0, totalSteps - 1))
                .as((b, i, f, w) -> new LrSchedule.Cosine(b, i, f, w, totalSteps));
        Arbitrary<LrSchedule> wsd = Combinators.combine(lrs(), lrs(), lrs(), lrs(), Arbitraries.longs().between(0, totalSteps),
                        Arbitraries.longs().between(0, totalSteps), Arbitraries.longs().between(0, totalSteps))
                .as((b, i, x, y, s1, s2, s3) -> {
                    double cosineFinal = b * x, linearFinal = cosineFinal * y;
                    long[] cuts = {s1, s2, s3};
                    Arrays.sort(cuts);
                    return new LrSchedule.WarmupStableDecay(b, i, cosineFinal, linearFinal, cuts[0], cuts[1] - cuts[0],
                            cuts[2] - cuts[1], totalSteps - cuts[2]);
                });
        return Arbitraries.oneOf(constant, linear, cosine, wsd);
    }

    private static Arbitrary<Float> unit() { return Arbitraries.floats().between(0, 0.99f); }

    private static Arbitrary<Optimizer> optimizers(boolean singleClient) {
        Arbitrary<Optional<Float>> clip = Arbitraries.floats().between(0.01f, 100f).optional();
        Arbitrary<Optimizer> distro = Arbitraries.integers().between(1, 65535).flatMap(chunk ->
                Combinators.combine(clip, unit().optional(), unit(),
                                Arbitraries.integers().between(1, (int) Math.min(65535L, (long) chunk * chunk)), Arbitraries.of(true, false))
                        .as((c, wd, decay, topk, q) -> new Optimizer.Distro(c, wd, decay, topk, chunk, q)));
        Arbitrary<Optimizer> adamw = Combinators.combine(unit(), unit(), unit(), Arbitraries.floats().between(1e-12f, 1f).ofScale(15), clip)
                .as(Optimizer.AdamW::new);
        return singleClient ? Arbitraries.oneOf(distro, adamw) : distro;
    }

    @Provide
    Arbitrary<RunConfig> validConfigs() {
        return coordinatorConfigs().flatMap(c -> {
            long rounds = (c.epochTime() - c.warmupTime()) / c.maxRoundTrainTime();
            Arbitrary<Tuple.Tuple4<Long, Long, Architecture, DataType>> head = Combinators.combine(
                    Arbitraries.longs().between(1, U32), Arbitraries.longs().between(0, Math.min(rounds, U32)),
                    Arbitraries.of(Architecture.class), Arbitraries.of(DataType.class)).as(Tuple::of);
            return Combinators.combine(head, checkpoints(), dataLocations(), lrSchedules(c.totalSteps()),
                            optimizers(c.initMinClients() == 1))
                    .as((h, cp, d, lr, o) -> new RunConfig(c, new LlmModel(h.get1(), h.get2(), h.get3(), cp, h.get4(), d, lr, o)));
        });
    }

    @Property(tries = 300)
    void validConfigsValidateCleanAndRoundTrip(@ForAll("validConfigs") RunConfig config) {
        ValidationReport report = Validation.check(config);
        assertEquals(List.of(), report.violations(), report::render);
        String toml = RunConfigs.toToml(config);
        assertEquals(config, RunConfigs.parse(toml), toml);
        RunSummary.of(config);
    }

    // ---- mutations of the TOML text ----

    @Provide
    Arbitrary<String> replacementValues() {
        return Arbitraries.oneOf(Arbitraries.of("\"\"", "\"x\"", "-1", "0", "1.5", "nan", "-inf", "true", "[]", "[1, \"a\"]",
                        "{}", "{ Hub = {} }", "{ a = 1, b = 2 }", "99999999999999999999", "4294967296", "65536", "256",
                        "1979-05-27", "\"DontShuffle\"", "\"Cosine\"", "{ Seeded = [1] }", "[[1]]", "'''x'''"),
                Arbitraries.integers().map(Object::toString), Arbitraries.strings().ofMaxLength(8).map(TomlConfigWriter::quote));
    }

    @Property(tries = 400)
    void mutatedTomlNeverThrowsAnythingElse(@ForAll("validConfigs") RunConfig config, @ForAll("replacementValues") String value,
                                            @ForAll("mutationKinds") int kind, @ForAll("positions") int position) {
        String toml = mutate(RunConfigs.toToml(config), kind, position, value);
        ConfigCheck check = ConfigCheck.ofString("mutated", toml, ValidationOptions.expectingClients(position % 300));
        check.render();
        check.toJson();
        try {
            RunConfig parsed = RunConfigs.parse(toml);
            Validation.check(parsed).render();
        } catch (ConfigException e) {
            assertFalse(e.violations().isEmpty(), e::getMessage);
            assertFalse(check.isValid(), check::render);
        }
    }

    @Provide Arbitrary<Integer> mutationKinds() { return Arbitraries.integers().between(0, 6); }

    @Provide Arbitrary<Integer> positions() { return Arbitraries.integers().between(0, 100_000); }

    /** Kinds: 0 delete a line, 1 replace a value, 2 rename a key, 3 duplicate a line, 4 truncate, 5 swap lines, 6 insert noise. */
    static String mutate(String toml, int kind, int position, String value) {
        List<String> lines = new ArrayList<>(Arrays.asList(toml.split("\n", -1)));
        int i = position % lines.size(), j = (position / 7) % lines.size();
        String line = lines.get(i);
        switch (kind) {
            case 0 -> lines.remove(i);
            case 1 -> { if (line.contains(" = ")) lines.set(i, line.substring(0, line.indexOf(" = ")) + " = " + value); }
            case 2 -> { if (line.contains(" = ")) lines.set(i, line.substring(0, Math.max(1, line.indexOf(" = ") - 1)) + "x" + line.substring(line.indexOf(" = "))); }
            case 3 -> lines.add(i, line);
            case 4 -> { return toml.substring(0, position % (toml.length() + 1)); }
            case 5 -> { lines.set(i, lines.get(j)); lines.set(j, line); }
            default -> { int at = position % (toml.length() + 1); return toml.substring(0, at) + value + toml.substring(at); }
        }
        return String.join("\n", lines);
    }

    // ---- mutations of the record's values ----

    @Provide
    Arbitrary<Long> anyLongs() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(0L, -1L, 1L, 255L, 256L, 65535L, 65536L, U32, U32 + 1,
                Long.MAX_VALUE, Long.MIN_VALUE));
    }

    @Provide
    Arbitrary<Double> anyDoubles() {
        return Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, -0.0, 0.0, 1.0, 1e300, -1e-300));
    }

    @Property(tries = 300)
    void recordMutationsOnlyEverGiveViolations(@ForAll("validConfigs") RunConfig config, @ForAll("anyLongs") long a,
                                               @ForAll("anyLongs") long b, @ForAll("anyDoubles") double x,
                                               @ForAll("mutationKinds") int field) {
        CoordinatorConfig c = config.config();
        LlmModel m = config.model();
        CoordinatorConfig mc = switch (field) {
            case 0 -> new CoordinatorConfig(a, b, c.maxRoundTrainTime(), c.roundWitnessTime(), c.globalBatchSizeWarmupTokens(), c.epochTime(), c.totalSteps(), c.initMinClients(), c.minClients(), c.witnessNodes(), c.globalBatchSizeStart(), c.globalBatchSizeEnd(), c.verificationPercent(), c.waitingForMembersExtraTime());
            case 1 -> new CoordinatorConfig(c.warmupTime(), c.cooldownTime(), a, c.roundWitnessTime(), b, c.epochTime(), c.totalSteps(), c.initMinClients(), c.minClients(), c.witnessNodes(), c.globalBatchSizeStart(), c.globalBatchSizeEnd(), c.verificationPercent(), c.waitingForMembersExtraTime());
            case 2 -> new CoordinatorConfig(c.warmupTime(), c.cooldownTime(), c.maxRoundTrainTime(), c.roundWitnessTime(), c.globalBatchSizeWarmupTokens(), a, b, c.initMinClients(), c.minClients(), c.witnessNodes(), c.globalBatchSizeStart(), c.globalBatchSizeEnd(), c.verificationPercent(), c.waitingForMembersExtraTime());
            case 3 -> new CoordinatorConfig(c.warmupTime(), c.cooldownTime(), c.maxRoundTrainTime(), c.roundWitnessTime(), c.globalBatchSizeWarmupTokens(), c.epochTime(), c.totalSteps(), (int) a, (int) b, (int) (a ^ b), c.globalBatchSizeStart(), c.globalBatchSizeEnd(), c.verificationPercent(), c.waitingForMembersExtraTime());
            case 4 -> new CoordinatorConfig(c.warmupTime(), c.cooldownTime(), c.maxRoundTrainTime(), c.roundWitnessTime(), c.globalBatchSizeWarmupTokens(), c.epochTime(), c.totalSteps(), c.initMinClients(), c.minClients(), c.witnessNodes(), (int) a, (int) b, (int) (a >> 3), (int) (b >> 5));
            default -> c;
        };
        LrSchedule lr = field == 5 ? new LrSchedule.Cosine(x, x, -x, a, b) : new LrSchedule.WarmupStableDecay(x, 0, x / 2, x * 2, a, b, a, b);
        Optimizer opt = field % 2 == 0 ? new Optimizer.Distro(Optional.of((float) x), Optional.of((float) -x), (float) x, (int) a, (int) b, true)
                : new Optimizer.AdamW((float) x, (float) -x, (float) x, (float) x, Optional.of((float) x));
        RunConfig mutated = new RunConfig(mc, new LlmModel(a, b, m.architecture(), m.checkpoint(), m.dataType(), m.dataLocation(), lr, opt));
        ValidationReport report = Validation.check(mutated, ValidationOptions.expectingClients((int) Math.abs(a % 1000)));
        report.render();
        RunSummary.of(mutated).render();
        ConfigDiff.render(ConfigDiff.diff(config, mutated));
        RunConfig back = RunConfigs.parse(RunConfigs.toToml(mutated));
        assertTrue(back.config().equals(mutated.config()));
    }
}
