package psyche.coordinator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import psyche.config.CoordinatorConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random walks through the program and engine (joins, warmup witnesses, witnesses seeing random subsets, health
 * checks, withdrawals, pauses, resumes, ticks at random times) checking invariants after every instruction.
 */
class Coordinator_InvariantsTest {
    @Provide Arbitrary<CoordinatorConfig> configs() {
        Arbitrary<Long> warmup = Arbitraries.longs().between(1, 20);
        Arbitrary<Long> train = Arbitraries.longs().between(1, 20);
        Arbitrary<Long> extra = Arbitraries.longs().between(1, 60);
        Arbitrary<Integer> min = Arbitraries.integers().between(1, 4);
        Arbitrary<Integer> gbs = Arbitraries.integers().between(1, 32);
        Arbitrary<Long> total = Arbitraries.longs().between(2, 40);
        Arbitrary<Long> warmTokens = Arbitraries.of(0L, 100L, 5000L);
        return Combinators.combine(warmup, train, extra, min, gbs, total, warmTokens).as((w, t, e, m, g, tot, wt) ->
                new CoordinatorConfig(w, 1 + (w + t) % 7, t, 1 + t % 3, wt, w + t + e, tot, m + (int) (e % 3), m,
                        (int) (e % (m + 1)), g, g + (int) (e % 33), 0, 1 + (int) (e % 4)));
    }

    @Property(tries = 60)
    void invariantsHoldOnRandomWalks(@ForAll("configs") CoordinatorConfig config, @ForAll long seed) {
        assertTrue(SanityChecks.config(config, Fixtures.model()).isEmpty(), () -> "generator made a bad config " + config);
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 1 + rng.nextInt(12);
        List<NodeIdentity> ids = Fixtures.ids(n);
        InstanceState s = Fixtures.started(config);
        long now = Fixtures.T0;
        long earningRate = rng.nextInt(10_000);
        s = RunProgram.setFutureEpochRates(s, earningRate, 0L);
        long maxHeight = -1;
        boolean paused = false;
        for (int op = 0; op < 400; op++) {
            InstanceState before = s;
            now += rng.nextInt(4);
            int choice = rng.nextInt(100);
            try {
                if (choice < 30) {
                    NodeIdentity id = ids.get(rng.nextInt(n));
                    s = RunProgram.join(s, id.signer(), id, now, rng.nextLong());
                } else if (choice < 55) {
                    s = witnessSome(s, rng, now);
                } else if (choice < 62) {
                    s = healthCheckSome(s, rng, now);
                } else if (choice < 64) {
                    s = RunProgram.setPaused(s, true, now, rng.nextLong());
                } else if (choice < 68) {
                    s = RunProgram.setPaused(s, false, now, rng.nextLong());
                } else if (choice < 70 && !s.coordinator().epochState().clients().isEmpty()) {
                    s = RunProgram.withCoordinator(s, Coordinator.withdraw(s.coordinator(),
                            rng.nextInt(s.coordinator().epochState().clients().size())));
                } else {
                    s = RunProgram.tick(s, now, rng.nextLong());
                }
            } catch (ProgramException | CoordinatorException refused) {
                s = before; // a refused instruction changes nothing
            }
            check(before, s, earningRate);
            if (s.coordinator().runState().active()) maxHeight = Math.max(maxHeight, Coordinator.currentRound(s.coordinator()).height());
            paused |= s.coordinator().runState() == RunState.Paused;
        }
        Statistics.label("reached round height ≥ 2").collect(maxHeight >= 2);
        Statistics.label("paused at some point").collect(paused);
    }

    private static InstanceState witnessSome(InstanceState s, SplittableRandom rng, long now) {
        CoordinatorState c = s.coordinator();
        List<Client> clients = c.epochState().clients();
        if (clients.isEmpty()) return s;
        int i = rng.nextInt(clients.size());
        NodeIdentity from = clients.get(i).id();
        List<NodeIdentity> seen = new ArrayList<>();
        for (Client x : clients) if (rng.nextInt(4) > 0) seen.add(x.id());
        if (c.runState() == RunState.Warmup) {
            return RunProgram.warmupWitness(s, from.signer(), Fixtures.witness(new WitnessProof(0, i, true), seen), now, rng.nextLong());
        }
        Round r = Coordinator.currentRound(c);
        if (r.clientsLen() == 0) return s;
        WitnessProof p = Coordinator.selection(c, r).witnessProof(Math.min(i, r.clientsLen() - 1));
        return RunProgram.witness(s, from.signer(), Fixtures.witness(p, seen), now, rng.nextLong());
    }

    private static InstanceState healthCheckSome(InstanceState s, SplittableRandom rng, long now) {
        CoordinatorState c = s.coordinator();
        Round prev = Coordinator.previousRound(c);
        List<Client> clients = c.epochState().clients();
        if (prev == null || prev.clientsLen() == 0 || clients.isEmpty()) return s;
        int target = rng.nextInt(prev.clientsLen());
        Client t = Coordinator.clientAtHistoricalIndex(c, target, prev.clientsLen());
        if (t == null) return s;
        CommitteeProof proof = Coordinator.selection(c, prev).committeeProof(target);
        return RunProgram.healthCheck(s, clients.get(0).id().signer(), new HealthCheck(t.id(), proof), now, rng.nextLong());
    }

    static void check(InstanceState before, InstanceState after, long earningRate) {
        CoordinatorState b = before.coordinator();
        CoordinatorState a = after.coordinator();
        assertTrue(a.progress().step() >= b.progress().step(), "step never decreases");
        assertTrue(a.progress().epoch() >= b.progress().epoch(), "epoch never decreases");
        assertTrue(a.epochState().clients().size() <= 256);
        assertTrue(after.clientsState().clients().size() <= 256);
        assertTrue(a.progress().step() <= Math.max(b.progress().step(), a.config().totalSteps()), "step stays within total_steps");
        if (b.runState() == RunState.Paused && a.runState() == RunState.Paused) {
            assertEquals(b.progress(), a.progress(), "a paused run never advances");
            assertEquals(b.epochState(), a.epochState(), "a paused run never advances");
        }
        long paid = 0;
        for (int i = 0; i < before.clientsState().clients().size(); i++) {
            paid += after.clientsState().clients().get(i).earned() - before.clientsState().clients().get(i).earned();
        }
        assertTrue(paid >= 0 && paid <= after.clientsState().currentEpochRates().earningRateTotalShared(),
                "rewards per epoch ≤ earning rate, paid " + paid);
        assertTrue(after.clientsState().currentEpochRates().earningRateTotalShared() <= earningRate);
        if (a.runState() == RunState.RoundTrain) checkRanges(a);
    }

    static void checkRanges(CoordinatorState a) {
        Map<BatchId, NodeIdentity> assignment = DataAssignment.assign(a);
        Round r = Coordinator.currentRound(a);
        long next = r.dataIndex();
        long total = 0;
        for (BatchId id : assignment.keySet()) {
            assertEquals(next, id.start(), "ranges are contiguous and do not overlap");
            next = id.end() + 1;
            total += id.size();
        }
        if (!assignment.isEmpty()) {
            assertEquals(Coordinator.targetGlobalBatchSize(a, r), total, "ranges sum to the batch size");
        }
    }
}
