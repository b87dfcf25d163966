package psyche.sim;

import psyche.config.RunConfig;
import psyche.config.RunMetadata;
import psyche.coordinator.Client;
import psyche.coordinator.ClientPolicy;
import psyche.coordinator.Coordinator;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.DataAssignment;
import psyche.coordinator.HealthCheck;
import psyche.coordinator.Hashing;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.ProgramException;
import psyche.coordinator.Pubkey;
import psyche.coordinator.Round;
import psyche.coordinator.RunProgram;
import psyche.coordinator.RunState;
import psyche.coordinator.SolanaClient;
import psyche.coordinator.Witness;
import psyche.coordinator.WitnessProof;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A what-if run: N simulated clients on virtual time (one-second resolution) through the real engine and program
 * logic. Each second, clients act (join in WaitingForMembers, warmup witness, round witness with participant blooms,
 * health checks of clients the last round's witnesses did not see), then someone ticks. Same inputs and seed ⇒ the
 * same timeline. Build with {@link #builder()}.
 */
public final class Simulation {
    /** Virtual unix time of the simulation start. */
    public static final long START_UNIX = 1_700_000_000L;

    private final RunConfig config;
    private final int clients;
    private final int epochs;
    private final long durationSeconds;
    private final double dropRate;
    private final long seed;
    private final List<Behaviour> behaviours;
    private final long earningRate;
    private final long treasury;
    private final Observer observer;

    private Simulation(Builder b) {
        this.config = b.config;
        this.clients = b.clients;
        this.epochs = b.epochs;
        this.durationSeconds = b.durationSeconds;
        this.dropRate = b.dropRate;
        this.seed = b.seed;
        psyche.reports.ProvenanceLog.seed("simulation", b.seed);
        this.behaviours = List.copyOf(b.behaviours);
        this.earningRate = b.earningRate;
        this.treasury = b.treasury;
        this.observer = b.observer;
    }

    /** Receives each state of the simulated run (not of its churn-free baseline) with its virtual time. */
    @FunctionalInterface
    public interface Observer {
        void observe(InstanceState state, java.time.Instant at);
    }

    public static Builder builder() { return new Builder(); }

    /** Required: {@link #setConfig}, {@link #setClients}. Without epochs or duration, 3 epochs are simulated. */
    public static final class Builder {
        private RunConfig config;
        private int clients = -1;
        private int epochs = -1;
        private long durationSeconds = -1;
        private double dropRate;
        private long seed = 1;
        private List<Behaviour> behaviours = List.of();
        private long earningRate = 1_000_000;
        private long treasury = 100_000_000;
        private Observer observer;

        public Builder setConfig(RunConfig config) { this.config = Objects.requireNonNull(config, "config"); return this; }

        public Builder setClients(int n) { this.clients = n; return this; }

        /** Stop after this many epoch ends. */
        public Builder optEpochs(int epochs) { this.epochs = epochs; return this; }

        /** Stop after this many virtual seconds. */
        public Builder optDuration(long seconds) { this.durationSeconds = seconds; return this; }

        /** Per epoch, each reliable client goes offline at a random moment with this probability, back next epoch. */
        public Builder optDropRate(double p) { this.dropRate = p; return this; }

        public Builder optSeed(long seed) { this.seed = seed; return this; }

        /** Behaviours of the first clients, in order; the others are reliable. */
        public Builder optBehaviours(List<Behaviour> behaviours) { this.behaviours = List.copyOf(behaviours); return this; }

        /** {@code earning_rate_total_shared} in points per epoch. */
        public Builder optEarningRate(long rate) { this.earningRate = rate; return this; }

        /** Treasury balance in points (1 native token unit per point). */
        public Builder optTreasury(long balance) { this.treasury = balance; return this; }

        /** Sees every state the simulated run passes through, e.g. to record it: {@code (s, t) -> store.record(s, t)}. */
        public Builder optObserver(Observer observer) { this.observer = observer; return this; }

        public Simulation build() {
            if (config == null) throw new IllegalStateException("setConfig(RunConfig) is required");
            if (clients < 1 || clients > 256) {
                throw new IllegalArgumentException("clients must be 1..256 (a run registers at most 256), got " + clients);
            }
            if (behaviours.size() > clients) {
                throw new IllegalArgumentException(behaviours.size() + " behaviours for " + clients + " clients");
            }
            if (!(dropRate >= 0 && dropRate <= 1)) throw new IllegalArgumentException("drop rate must be in [0, 1], got " + dropRate);
            if (epochs == 0 || durationSeconds == 0) throw new IllegalArgumentException("epochs and duration must be positive");
            if (earningRate < 0 || treasury < 0) throw new IllegalArgumentException("earning rate and treasury must be >= 0");
            if (epochs < 0 && durationSeconds < 0) epochs = 3;
            return new Simulation(this);
        }
    }

    /** Runs the simulation (and, with churn, a reliable-only baseline of the same length). */
    public SimulationResult run() {
        Engine main = new Engine(false);
        main.run();
        Double baselineSteps = null;
        Double progressVsBaseline = null;
        boolean churn = dropRate > 0 || behaviours.stream().anyMatch(b -> !(b instanceof Behaviour.Reliable));
        if (churn) {
            Engine base = new Engine(true);
            base.maxSeconds = main.elapsed; // same virtual time span
            base.epochLimit = -1;
            base.run();
            baselineSteps = base.meanStepsPerEpoch();
            progressVsBaseline = base.stepsCompleted() == 0 ? 0.0 : (double) main.stepsCompleted() / base.stepsCompleted();
        }
        Timeline timeline = new Timeline(main.events);
        return new SimulationResult(timeline, main.summary(baselineSteps, progressVsBaseline));
    }

    // ------------------------------------------------------------------ one simulated run

    private final class Engine {
        final boolean baseline;
        final List<TimelineEvent> events = new ArrayList<>();
        final List<SimClient> sims = new ArrayList<>();
        final Map<Pubkey, SimClient> bySigner = new HashMap<>();
        InstanceState inst;
        long now = START_UNIX;
        long elapsed;
        long maxSeconds;
        int epochLimit;
        int epochsEnded;
        int drops;
        int offlineEvents;
        long treasuryLeft = treasury;
        long warmupStart = -1;
        long epochStartStep;
        final List<long[]> successfulEpochs = new ArrayList<>(); // {wallSeconds, steps}
        final List<Long> burns = new ArrayList<>();
        // the round the clients are currently planned for
        String plannedRound = "";
        final Map<Integer, Long> finishAt = new HashMap<>();
        long witnessAt;
        final List<Integer> witnessIndices = new ArrayList<>();
        final Map<Integer, Boolean> witnessSent = new HashMap<>();
        Round plannedRoundValue;
        boolean healthCheckDue;

        Engine(boolean baseline) {
            this.baseline = baseline;
            this.epochLimit = epochs;
            long epochSpan = config.config().waitingForMembersExtraTime() + config.config().warmupTime()
                    + config.config().epochTime() + 3 * (config.config().maxRoundTrainTime() + config.config().roundWitnessTime())
                    + config.config().cooldownTime() + 10;
            this.maxSeconds = durationSeconds > 0 ? durationSeconds : Math.max(600, epochs * epochSpan * 4L);
            for (int i = 0; i < clients; i++) {
                Behaviour b = !baseline && i < behaviours.size() ? behaviours.get(i) : Behaviour.reliable();
                SimClient c = new SimClient(i, identity(i), b, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i));
                sims.add(c);
                bySigner.put(c.id.signer(), c);
            }
        }

        NodeIdentity identity(int i) {
            return Simulation.this.identity(i);
        }

        long rel() { return now - START_UNIX; }

        long roundSeed() { return Hashing.onChainRandomSeed(now, rel() * 2 + seed); }

        void run() {
            InstanceState s = RunProgram.create("sim", "sim");
            s = RunProgram.update(s, new RunMetadata("simulation", "", 0, 0), config.config(), config.model(), null);
            s = RunProgram.setFutureEpochRates(s, earningRate, 0L);
            inst = s;
            apply(() -> RunProgram.setPaused(inst, false, now, roundSeed()));
            while (elapsed < maxSeconds) {
                RunState st = inst.coordinator().runState();
                if (st == RunState.Finished) break;
                if (epochLimit > 0 && epochsEnded >= epochLimit) break;
                step();
                now++;
                elapsed++;
            }
        }

        /** One virtual second: offline transitions, client actions, then a tick. */
        void step() {
            for (SimClient c : sims) {
                boolean on = c.online(rel());
                if (c.wasOnline && !on) {
                    offlineEvents++;
                    events.add(new TimelineEvent.WentOffline(rel(), c.label, c.churnOffline ? "churn" : c.behaviour.label()));
                }
                c.wasOnline = on;
            }
            CoordinatorState co = inst.coordinator();
            switch (co.runState()) {
                case WaitingForMembers -> joins();
                case Warmup -> warmupWitnesses();
                case RoundTrain, RoundWitness -> roundActions();
                default -> { }
            }
            // someone ticks when the policy finds it worth sending: the tick moves the run
            if (!inst.coordinator().runState().halted()) {
                InstanceState ticked = RunProgram.tick(inst, now, roundSeed());
                if (ClientPolicy.tickMoves(inst, ticked)) apply(() -> ticked);
            }
        }

        void joins() {
            for (SimClient c : sims) {
                c.churnAt = Long.MAX_VALUE; // churned clients come back for the next epoch
                c.churnOffline = false;
                if (!c.online(rel())) continue;
                if (!ClientPolicy.joinDue(inst, c.id) || c.joinRefused) continue;
                try {
                    apply(() -> RunProgram.join(inst, c.id.signer(), c.id, now, roundSeed()));
                    events.add(new TimelineEvent.Joined(rel(), c.label));
                } catch (ProgramException e) {
                    c.joinRefused = true; // refusals here (registry full) cannot succeed later
                    events.add(new TimelineEvent.JoinRefused(rel(), c.label, e.error().name()));
                }
                if (inst.coordinator().runState() != RunState.WaitingForMembers) break;
            }
        }

        void warmupWitnesses() {
            CoordinatorState co = inst.coordinator();
            List<Client> epochClients = co.epochState().clients();
            for (int i = 0; i < epochClients.size(); i++) {
                SimClient c = bySigner.get(epochClients.get(i).id().signer());
                if (c == null || c.warmupSent || !c.online(rel()) || rel() < c.warmupReadyAt) continue;
                if (inst.coordinator().runState() != RunState.Warmup) break;
                c.warmupSent = true;
                var duty = ClientPolicy.warmupWitnessDuty(inst.coordinator(), c.id);
                if (duty.isEmpty()) continue;
                // a simulated client heard nobody in warmup and holds no results
                Witness w = ClientPolicy.witness(duty.get(), epochClients, id -> false, ClientPolicy::noCommitment, i, i + 1000);
                tryApply(() -> RunProgram.warmupWitness(inst, c.id.signer(), w, now, roundSeed()));
            }
        }

        void roundActions() {
            CoordinatorState co = inst.coordinator();
            Round round = Coordinator.currentRound(co);
            String key = co.progress().epoch() + "/" + round.height() + "/" + round.randomSeed();
            if (!key.equals(plannedRound)) planRound(co, round, key);
            if (healthCheckDue) {
                healthCheckDue = false;
                if (round.height() >= 2) healthChecks(inst.coordinator());
            }
            // witnesses
            // A witness can end the round (opportunistic witnessing), which re-plans witnessIndices for the next one:
            // iterate a copy and stop once the round we planned for is over.
            for (int idx : List.copyOf(witnessIndices)) {
                if (!key.equals(plannedRound)) break;
                if (witnessSent.getOrDefault(idx, false)) continue;
                if (rel() < witnessAt) continue;
                RunState st = inst.coordinator().runState();
                if (st != RunState.RoundTrain && st != RunState.RoundWitness) break;
                List<Client> cl = inst.coordinator().epochState().clients();
                if (idx >= cl.size()) continue;
                SimClient c = bySigner.get(cl.get(idx).id().signer());
                if (c == null || !c.online(rel()) || c.behaviour instanceof Behaviour.NeverWitnesses) continue;
                witnessSent.put(idx, true);
                // it heard the trainers whose results are in by now; simulated results have no commitments
                java.util.Set<NodeIdentity> heard = new java.util.HashSet<>();
                for (Map.Entry<Integer, Long> f : finishAt.entrySet()) {
                    if (f.getValue() <= rel() && f.getKey() < cl.size()) heard.add(cl.get(f.getKey()).id());
                }
                WitnessProof proof = ClientPolicy.witnessDuty(co, cl.get(idx).id()).orElseThrow();
                Witness w = ClientPolicy.witness(proof, cl, heard::contains, ClientPolicy::noCommitment,
                        seed ^ idx ^ (round.height() << 20), idx + 7);
                tryApply(() -> RunProgram.witness(inst, c.id.signer(), w, now, roundSeed()));
            }
        }

        void planRound(CoordinatorState co, Round round, String key) {
            plannedRound = key;
            plannedRoundValue = round;
            finishAt.clear();
            witnessIndices.clear();
            witnessSent.clear();
            List<Client> cl = co.epochState().clients();
            long start = co.runStateStartUnixTimestamp() - START_UNIX;
            long maxTrain = config.config().maxRoundTrainTime();
            long deadline = start + maxTrain;
            var assignment = DataAssignment.assign(co);
            java.util.Set<NodeIdentity> trainers = new java.util.HashSet<>(assignment.values());
            events.add(new TimelineEvent.RoundStarted(rel(), co.progress().epoch(), round.height(), co.progress().step(),
                    round.dataIndex(), Coordinator.targetGlobalBatchSize(co, round), round.clientsLen(), trainers.size()));
            boolean allOnTime = true;
            long lastFinish = start + 1;
            for (int i = 0; i < cl.size(); i++) {
                SimClient c = bySigner.get(cl.get(i).id().signer());
                if (c == null || !trainers.contains(c.id)) continue;
                long t = c.trainSeconds(maxTrain);
                long done = start + t;
                if (!c.onlineThrough(start, done)) {
                    allOnTime = false;
                    continue;
                }
                finishAt.put(i, done);
                if (done > deadline) allOnTime = false;
                else lastFinish = Math.max(lastFinish, done);
            }
            // witnesses send once every result is in; otherwise when the training window closes
            witnessAt = allOnTime ? lastFinish : deadline;
            for (int i = 0; i < cl.size() && i < round.clientsLen(); i++) {
                if (ClientPolicy.witnessDuty(co, cl.get(i).id()).isPresent()) witnessIndices.add(i);
            }
            healthCheckDue = true;
        }

        /** Each health check the policy finds due is sent by the first online epoch client other than its target. */
        void healthChecks(CoordinatorState co) {
            List<HealthCheck> due = ClientPolicy.healthChecks(co);
            if (due.isEmpty()) return;
            List<SimClient> reporters = new ArrayList<>();
            for (Client c : co.epochState().clients()) {
                SimClient s = bySigner.get(c.id().signer());
                if (s != null && s.online(rel())) reporters.add(s);
                if (reporters.size() == 2) break;
            }
            if (reporters.isEmpty()) return;
            for (HealthCheck check : due) {
                SimClient reporter = reporters.get(0).id.equals(check.id()) ? (reporters.size() > 1 ? reporters.get(1) : null) : reporters.get(0);
                if (reporter == null) continue;
                boolean ok = tryApply(() -> RunProgram.healthCheck(inst, reporter.id.signer(), check, now, roundSeed()));
                if (ok) {
                    drops++;
                    SimClient t = bySigner.get(check.id().signer());
                    events.add(new TimelineEvent.Dropped(rel(), t == null ? check.id().shortId() : t.label, reporter.label));
                }
            }
        }

        boolean tryApply(java.util.function.Supplier<InstanceState> op) {
            try {
                apply(op);
                return true;
            } catch (ProgramException e) {
                return false; // refused instructions change nothing, as a failed transaction
            }
        }

        void apply(java.util.function.Supplier<InstanceState> op) {
            InstanceState before = inst;
            InstanceState after = op.get();
            inst = after;
            if (observer != null && !baseline) observer.observe(after, java.time.Instant.ofEpochSecond(now));
            observe(before, after);
        }

        void observe(InstanceState before, InstanceState after) {
            CoordinatorState b = before.coordinator();
            CoordinatorState a = after.coordinator();
            if (b.runState() == a.runState() && b.progress().epoch() == a.progress().epoch()) return;
            if (b.runState() == RunState.RoundWitness && a.runState() != RunState.RoundWitness) {
                Round r = Coordinator.currentRound(b);
                events.add(new TimelineEvent.RoundEnded(rel(), b.progress().epoch(), r.height(), a.progress().step(),
                        r.witnesses().size()));
            }
            events.add(new TimelineEvent.StateChange(rel(), b.runState().display(), a.runState().display(),
                    a.progress().epoch(), a.progress().step()));
            if (a.runState() == RunState.Warmup && b.runState() != RunState.Warmup) startEpoch(after);
            if (a.runState() == RunState.RoundTrain) {
                Round r = Coordinator.currentRound(a);
                String key = a.progress().epoch() + "/" + r.height() + "/" + r.randomSeed();
                if (!key.equals(plannedRound)) planRound(a, r, key); // plan as the round starts
            }
            boolean success = b.runState() == RunState.Cooldown && a.runState() != RunState.Cooldown;
            boolean failure = b.runState() == RunState.Warmup
                    && (a.runState() == RunState.WaitingForMembers || a.runState() == RunState.Finished);
            if (success || failure) endEpoch(before, after, b, success);
        }

        void startEpoch(InstanceState after) {
            warmupStart = rel();
            epochStartStep = after.coordinator().progress().step();
            long warmup = config.config().warmupTime();
            for (SimClient c : sims) {
                c.warmupSent = false;
                c.warmupReadyAt = rel() + 1 + c.rng.nextLong(Math.max(1, warmup / 2));
                if (!baseline && dropRate > 0 && c.behaviour instanceof Behaviour.Reliable && c.rng.nextDouble() < dropRate) {
                    c.churnAt = rel() + 1 + c.rng.nextLong(Math.max(1, config.config().epochTime()));
                } else {
                    c.churnAt = Long.MAX_VALUE;
                }
                c.churnOffline = false;
            }
        }

        void endEpoch(InstanceState before, InstanceState after, CoordinatorState b, boolean success) {
            epochsEnded++;
            Map<Pubkey, Long> earnedBefore = new HashMap<>();
            for (SolanaClient c : before.clientsState().clients()) earnedBefore.put(c.id().signer(), c.earned());
            Map<String, Long> rewards = new LinkedHashMap<>();
            long burned = 0;
            for (SolanaClient c : after.clientsState().clients()) {
                long delta = c.earned() - earnedBefore.getOrDefault(c.id().signer(), 0L);
                if (delta != 0) {
                    SimClient s = bySigner.get(c.id().signer());
                    rewards.put(s == null ? c.id().shortId() : s.label, delta);
                    burned += delta;
                }
            }
            treasuryLeft -= burned;
            burns.add(burned);
            long wall = warmupStart < 0 ? 0 : rel() - warmupStart;
            long steps = after.coordinator().progress().step() - epochStartStep;
            if (success) successfulEpochs.add(new long[] {wall, steps});
            events.add(new TimelineEvent.EpochEnded(rel(), b.progress().epoch(), success, wall, steps,
                    b.epochState().clients().size(), rewards, burned, treasuryLeft));
        }

        long stepsCompleted() { return Math.max(0, inst.coordinator().progress().step() - 1); }

        double meanStepsPerEpoch() {
            return successfulEpochs.stream().mapToLong(e -> e[1]).average().orElse(0);
        }

        SimulationSummary summary(Double baselineSteps, Double progressVsBaseline) {
            double meanWall = successfulEpochs.stream().mapToLong(e -> e[0]).average().orElse(0);
            long steps = stepsCompleted();
            double secondsPerStep = steps == 0 ? 0 : (double) elapsed / steps;
            long total = config.config().totalSteps();
            double toTotal = steps == 0 ? -1 : elapsed + Math.max(0, total - 1 - steps) * secondsPerStep;
            Map<String, Long> earned = new LinkedHashMap<>();
            Map<Pubkey, Long> bySignerEarned = new HashMap<>();
            for (SolanaClient c : inst.clientsState().clients()) bySignerEarned.put(c.id().signer(), c.earned());
            for (SimClient c : sims) earned.put(c.label, bySignerEarned.getOrDefault(c.id.signer(), 0L));
            double meanBurn = burns.stream().mapToLong(Long::longValue).average().orElse(0);
            long runway = earningRate == 0 ? -1 : treasury / earningRate;
            double runwaySeconds = runway < 0 || meanWall == 0 ? -1 : runway * meanWall;
            return new SimulationSummary(clients, elapsed, epochsEnded, steps, inst.coordinator().runState().display(),
                    meanWall, meanStepsPerEpoch(), secondsPerStep, total, toTotal, drops, offlineEvents, baselineSteps,
                    progressVsBaseline, earned, earningRate, meanBurn, treasury, runway, runwaySeconds);
        }
    }

    /** A simulated client's private state. */
    /**
     * The name the simulation gives its client {@code index} (0-based, the order of {@code optBehaviours}) in its
     * timeline, summary and charts: the first 4 bytes of its key in hex, as tables, charts and the monitor name the
     * clients of a real run.
     */
    public String clientName(int index) {
        if (index < 0 || index >= clients) throw new IndexOutOfBoundsException("client " + index + " of " + clients);
        return identity(index).shortId();
    }

    private NodeIdentity identity(int i) {
        byte[] tag = ("psyche-sim-client:" + seed + ":" + i).getBytes(StandardCharsets.UTF_8);
        return new NodeIdentity(Pubkey.of(Hashing.sha256(tag, new byte[] {1})), Pubkey.of(Hashing.sha256(tag, new byte[] {2})));
    }

    private static final class SimClient {
        final int index;
        final String label;
        final NodeIdentity id;
        final Behaviour behaviour;
        final SplittableRandom rng;
        boolean wasOnline;
        boolean joinRefused;
        boolean warmupSent;
        long warmupReadyAt;
        long churnAt = Long.MAX_VALUE;
        boolean churnOffline;

        SimClient(int index, NodeIdentity id, Behaviour behaviour, SplittableRandom rng) {
            this.index = index;
            this.label = id.shortId(); // one naming scheme with the tables and charts of real runs
            this.id = id;
            this.behaviour = behaviour;
            this.rng = rng;
            this.wasOnline = behaviour.onlineAt(0);
        }

        boolean online(long t) {
            if (t >= churnAt) churnOffline = true;
            return behaviour.onlineAt(t) && !churnOffline;
        }

        boolean onlineThrough(long from, long to) {
            for (long t = from; t <= to; t++) {
                if (!behaviour.onlineAt(t) || t >= churnAt) return false;
            }
            return true;
        }

        long trainSeconds(long maxTrain) {
            long lo = Math.max(1, (long) Math.floor(maxTrain * 0.4));
            long hi = Math.max(lo, (long) Math.floor(maxTrain * 0.8));
            if (behaviour instanceof Behaviour.Slow s && rng.nextDouble() < s.missProbability()) {
                return maxTrain + 1 + rng.nextLong(Math.max(1, maxTrain));
            }
            return lo + rng.nextLong(hi - lo + 1);
        }
    }
}
