package psyche.train.chain;

import psyche.chain.rpc.RpcException;
import psyche.client.ChainClient;
import psyche.client.ChainClients;
import psyche.coordinator.BatchId;
import psyche.coordinator.Blooms;
import psyche.coordinator.Coordinator;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.DataAssignment;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;

import psyche.coordinator.RunState;
import psyche.coordinator.Witness;
import psyche.train.RoundDriver;
import psyche.train.RoundTrainer;
import psyche.train.TrainingException;
import psyche.train.TrainingStep;
import psyche.train.chain.ResultsExchange.HeardResult;
import psyche.train.distro.DistroLayout;
import psyche.train.distro.DistroResult;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The {@link RoundDriver} of rounds followed on a chain. {@link #next} steps the session's {@link ChainClients} (each
 * step reads the coordinator account and lets every online client act on it: join, witness, health checks, ticks,
 * as {@code coordinator.ClientPolicy} says) until a read shows a RoundTrain step this session has not trained, and
 * returns it with each of its trainers' batch ({@link DataAssignment#byTrainer}); the clients act on that read only
 * after the round is trained. {@link #consensus(long, RoundTrainer.Trained, DistroLayout)} hands the trained results
 * to the witness step ({@link HeardResults}, and to peer sessions through the {@link ResultsExchange}), lets the clients
 * act, fetches peers' results, and steps on until the round's witnesses are in (the next RoundTrain, or the epoch's
 * end); it returns the results a witness quorum heard ({@link #consensus(Map, List, int)}), so results of step N land
 * at N+1 as in Psyche.
 *
 * <p>Both block: on the wall clock a step every step interval, on a logical clock (the clients', {@link
 * ChainClients#pauseBetweenSteps}) without waiting, each step advancing that clock. They return empty when the session ends (its step or epoch
 * bound, the run finishing, {@link Settings#stop}, the time limit), and throw when the run has not moved for
 * {@link Settings#roundTimeout} on the clients' clock.
 */
public final class ChainRoundDriver implements RoundDriver {
    /**
     * How the session ends: {@code steps}/{@code epochs} bound it (0: no bound), {@code timeLimit} ends it quietly, {@code roundTimeout} fails it when the run stands still that long, {@code stop} ends it at the next
     * step, {@code atCooldown} runs at every read in Cooldown once that round's consensus is applied (checkpoints).
     */
    public record Settings(long steps, long epochs, Duration timeLimit, Duration roundTimeout, BooleanSupplier stop,
                           Runnable atCooldown) {
        public Settings {
            Objects.requireNonNull(timeLimit, "timeLimit");
            Objects.requireNonNull(roundTimeout, "roundTimeout");
            Objects.requireNonNull(stop, "stop");
            Objects.requireNonNull(atCooldown, "atCooldown");
        }
    }

    /** Where the driver is within the latest read: its consensus, its round to train, its clients' actions. */
    private enum Phase { READ, AFTER_CONSENSUS, AFTER_TRAIN, ACT }

    private final ChainClients clients;
    private final List<ChainClient> trainers;
    private final HeardResults heard;
    private final Settings settings;
    private final long deadline;
    private final long[] nonces; // results each trainer produced so far: Psyche's trainer_nonce
    private ResultsExchange exchange; // null: no peer sessions
    private PeerDiscovery discovery;
    private java.util.function.UnaryOperator<DistroResult> servedWire = ResultsExchange.HONEST;
    private DistroLayout layout;

    private ChainClients.Step read; // the step in progress (null between steps)
    private Phase phase = Phase.ACT;
    private List<Witness> consensusWitnesses; // the witnesses of the round whose consensus the latest read settles
    private boolean done;
    private long trainedStep = -1;
    private int trainedRounds;
    private long firstEpoch = -1; // the epoch of the first round this session trained (epochs count from it)
    private volatile int warmingUpSkipped;
    private volatile InstanceState lastState;
    private String standing = "";
    private long standingSince;

    /** Follows the run of {@code clients}, whose participation is {@code heard}. */
    ChainRoundDriver(ChainClients clients, HeardResults heard, Settings settings) {
        this.clients = Objects.requireNonNull(clients, "clients");
        this.trainers = clients.clients();
        this.heard = Objects.requireNonNull(heard, "heard");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.deadline = System.nanoTime() + settings.timeLimit().toNanos();
        this.nonces = new long[trainers.size()];
        this.standingSince = clients.clockMillis();
    }

    /** Also exchanges results with peer sessions: publishes this session's, fetches theirs until all are in. */
    ChainRoundDriver withPeers(PeerSessions peers, java.util.function.UnaryOperator<DistroResult> servedWire) {
        this.exchange = peers.exchange();
        this.discovery = peers.discovery();
        this.servedWire = Objects.requireNonNull(servedWire);
        return this;
    }

    /** The coordinator state of the latest read (null before the first). */
    public InstanceState state() { return lastState; }

    /** Trainer {@code i}'s nonce: the results it produced so far. */
    public long nonce(int i) { return nonces[i]; }

    /** Consensus results left out because their trainer was still warming up on a P2P checkpoint. */
    public int resultsSkippedWhileWarmingUp() { return warmingUpSkipped; }

    // ------------------------------------------------------------------ RoundDriver

    /**
     * Steps the clients until a read shows a RoundTrain step this session has not trained (returned with its data
     * index, batch size and each of this session's trainers' batch, null for a trainer without one or offline), or
     * empty once the session ends. The clients act on that read after the round is trained and handed over.
     */
    @Override public Optional<RoundDriver.Round> next(long lastStep) {
        while (true) {
            Event e = pump();
            if (e == Event.END) return Optional.empty();
            if (e == Event.CONSENSUS) {
                heard.take(); // a consensus nobody asked for: the loop ended that round without applying it
                continue;
            }
            CoordinatorState c = lastState.coordinator();
            Map<NodeIdentity, BatchId> assignment = DataAssignment.byTrainer(c);
            List<BatchId> batches = new ArrayList<>();
            for (int i = 0; i < trainers.size(); i++) {
                batches.add(heard.online(trainers.get(i)) ? assignment.get(trainers.get(i).identity()) : null);
            }
            psyche.coordinator.Round round = Coordinator.currentRound(c);
            return Optional.of(new RoundDriver.Round(c.progress().step(), round != null ? round.dataIndex() : 0,
                    Coordinator.targetGlobalBatchSize(c, round), batches));
        }
    }

    /**
     * Hands round {@code step}'s results to the witness step (and to peer sessions), lets the clients act and steps
     * on until the round's witnesses are in; returns what a witness quorum heard, in signer order, less the results
     * of trainers still warming up; empty when the session ends first.
     */
    @Override public Optional<Consensus> consensus(long step, RoundTrainer.Trained trained, DistroLayout layout) {
        this.layout = layout;
        publish(step, trained);
        while (true) {
            Event e = pump();
            if (e == Event.END) return Optional.empty();
            if (e != Event.CONSENSUS) throw new IllegalStateException("round " + step + " not settled before the next");
            return Optional.of(settle(heard.take(), consensusWitnesses));
        }
    }

    private void publish(long step, RoundTrainer.Trained trained) {
        CoordinatorState c = lastState.coordinator();
        Map<NodeIdentity, HeardResult> results = new LinkedHashMap<>();
        for (int i = 0; i < trainers.size(); i++) {
            TrainingStep.Outcome out = trained.outcomes().get(i);
            if (out == null) continue;
            nonces[i]++; // results this trainer produced: Psyche's trainer_nonce
            results.put(trainers.get(i).identity(), new HeardResult(out.wire(), out.result().commitment()));
        }
        heard.hold(step, results, DataAssignment.byTrainer(c).keySet());
        if (exchange != null && exchange.serving()) {
            exchange.publish(step, ResultsExchange.bundle(layout, results, servedWire, this::signCommitment));
        }
        trainedRounds++;
    }

    private Consensus settle(HeardResults.Round r, List<Witness> witnesses) {
        CoordinatorState c = lastState.coordinator();
        int quorum = Coordinator.witnessQuorum(c.config(), witnesses.size());
        Set<NodeIdentity> applied = new HashSet<>();
        List<DistroResult> results = new ArrayList<>();
        for (NodeIdentity id : consensus(r.results(), witnesses, quorum)) {
            DistroResult d = DistroResult.decode(r.results().get(id).wire(), layout);
            if (trainerWarmingUp(d.trainerNonce(), c.model())) {
                warmingUpSkipped++;
                continue;
            }
            applied.add(id);
            results.add(d);
        }
        return new Consensus(results, i -> applied.contains(trainers.get(i).identity()));
    }

    // ------------------------------------------------------------------ following the chain

    private enum Event { TRAIN, CONSENSUS, END }

    /**
     * Goes on from where the latest read stands: finishes it, lets the clients act, starts the next step, until a read
     * has a round to train or a consensus to settle, or the session ends (between steps, as a step is never cut).
     */
    private Event pump() {
        while (true) {
            try {
                if (phase == Phase.ACT && read != null && read.act()) {
                    phase = Phase.READ; // a client sent a transaction: what the chain holds now
                } else if (phase == Phase.ACT) {
                    if (read != null) {
                        read = null;
                        if (Thread.currentThread().isInterrupted()) return Event.END;
                        if (!clients.pauseBetweenSteps()) return Event.END;
                    }
                    if (settings.stop().getAsBoolean() || done || System.nanoTime() >= deadline) return Event.END;
                    checkStanding();
                    read = clients.begin();
                    phase = Phase.READ;
                }
                Event e = observe();
                if (e != null) return e;
            } catch (RpcException e) {
                // a transient RPC failure ends the step: the next step reads again
                read = null;
                phase = Phase.ACT;
                if (Thread.currentThread().isInterrupted()) return Event.END;
                if (!clients.pauseBetweenSteps()) return Event.END;
            }
        }
    }


    /** Fails the session when the run has stood in one state at one step for the round timeout. */
    private void checkStanding() {
        InstanceState s = lastState;
        if (s == null) return;
        CoordinatorState c = s.coordinator();
        String now = c.runState() + " at step " + c.progress().step() + " of epoch " + c.progress().epoch();
        long t = clients.clockMillis();
        if (!now.equals(standing)) {
            standing = now;
            standingSince = t;
            return;
        }
        if (t - standingSince >= settings.roundTimeout().toMillis()) {
            throw new TrainingException("run '" + clients.run().runId() + "' has stood in " + now + " for "
                    + Duration.ofMillis(t - standingSince).toSeconds() + " s (the round timeout): no round to train came. "
                    + (c.runState() == RunState.Paused || c.runState() == RunState.Uninitialized
                    ? "It is paused or was never started: its owner resumes it (bin/run-manager set-paused --resume --run-id "
                    + clients.run().runId() + "). " : c.runState() == RunState.WaitingForMembers ? "It waits for init_min_clients ("
                    + c.config().initMinClients() + ") clients to join. " : "It needs ticks and min_clients ("
                    + c.config().minClients() + ") healthy clients. ") + "See "
                    + "bin/run-manager json-dump-run --run-id " + clients.run().runId()
                    + ", or allow longer waits with optRoundTimeout");
        }
    }

    /** The work on one read, from where it stands; returns an event to hand to the loop, or null to act on. */
    private Event observe() {
        CoordinatorState c = read.state().coordinator();
        if (phase == Phase.READ) {
            lastState = read.state();
            heard.read(c.progress().step());
            HeardResults.Round pending = heard.round();
            phase = Phase.AFTER_CONSENSUS;
            switch (c.runState()) {
                case RoundTrain -> {
                    long step = c.progress().step();
                    psyche.coordinator.Round prev = Coordinator.previousRound(c);
                    if (pending != null && pending.step() < step) {
                        consensusWitnesses = pending.step() == step - 1 && prev != null ? prev.witnesses() : List.of();
                        return Event.CONSENSUS;
                    }
                }
                case Cooldown, Finished, Paused, WaitingForMembers -> {
                    if (pending != null) {
                        psyche.coordinator.Round cur = Coordinator.currentRound(c);
                        boolean lastRound = c.runState() == RunState.Cooldown && pending.step() == c.progress().step() - 1;
                        consensusWitnesses = lastRound && cur != null ? cur.witnesses() : List.of();
                        return Event.CONSENSUS;
                    }
                }
                default -> { }
            }
        }
        if (phase == Phase.AFTER_CONSENSUS) {
            phase = Phase.ACT;
            switch (c.runState()) {
                case RoundTrain -> {
                    long step = c.progress().step();
                    if ((settings.steps() > 0 && trainedRounds >= settings.steps()) || epochsDone(c, false)) {
                        done = heard.round() == null;
                        return null;
                    }
                    if (firstEpoch < 0) firstEpoch = c.progress().epoch();
                    if (trainedStep != step && !settings.stop().getAsBoolean()) {
                        trainedStep = step;
                        phase = Phase.AFTER_TRAIN;
                        return Event.TRAIN;
                    }
                    fetchPeerResults(c);
                }
                case RoundWitness -> fetchPeerResults(c);
                case Cooldown, Finished, Paused, WaitingForMembers -> {
                    if (c.runState() == RunState.Cooldown) settings.atCooldown().run();
                    if (c.runState() == RunState.Finished) done = true;
                    if (settings.steps() > 0 && trainedRounds >= settings.steps()) done = true;
                    if (heard.round() == null && epochsDone(c, c.runState() == RunState.Cooldown)) done = true;
                }
                default -> { }
            }
            return null;
        }
        if (phase == Phase.AFTER_TRAIN) {
            phase = Phase.ACT;
            fetchPeerResults(c);
        }
        return null;
    }

    /** Whether the epochs bound is reached: at its last epoch's Cooldown ({@code inCooldown}) or once a later one began. */
    private boolean epochsDone(CoordinatorState c, boolean inCooldown) {
        if (settings.epochs() <= 0 || firstEpoch < 0) return false;
        long last = firstEpoch + settings.epochs() - 1;
        return c.progress().epoch() > last || (inCooldown && c.progress().epoch() == last);
    }

    /** The commitment signature of this session's trainer {@code id} (its p2p identity key over the data_hash). */
    private byte[] signCommitment(NodeIdentity id, byte[] commitment) {
        for (ChainClient t : trainers) if (t.identity().equals(id)) return t.signCommitment(commitment);
        throw new IllegalStateException("no trainer " + id + " in this session");
    }

    /**
     * Fetches the current round's results from peer sessions until every assigned trainer's is in: from all peers at
     * once, within {@link ResultsExchange#FETCH_DEADLINE} in all. A result counts when it is for this step, comes from
     * an epoch client assigned exactly that batch, carries that trainer's signature of its commitment and matches it
     * ({@link ResultsExchange#rejection}). A peer that does not answer is skipped for a few seconds; one that answers
     * too slowly, too much, malformed or with a result that fails those checks is quarantined (not fetched from, not
     * listed at GET /peers).
     */
    private void fetchPeerResults(CoordinatorState c) {
        HeardResults.Round r = heard.round();
        if (discovery == null || discovery.peers().isEmpty() || r == null || r.step() != c.progress().step()
                || heard.complete()) return;
        Map<NodeIdentity, BatchId> assignment = DataAssignment.byTrainer(c);
        Map<Pubkey, NodeIdentity> bySigner = new HashMap<>();
        for (NodeIdentity id : assignment.keySet()) bySigner.put(id.signer(), id);
        List<URI> asked = discovery.reachablePeers();
        for (Map.Entry<URI, ResultsExchange.Fetched> f : exchange.fetchAll(asked, r.step()).entrySet()) {
            URI peer = f.getKey();
            if (f.getValue() instanceof ResultsExchange.Fetched.Missing m) {
                if (!m.why().startsWith("answered")) discovery.backOff(peer); // a peer that does not answer is not heard
                continue;
            }
            if (!(f.getValue() instanceof ResultsExchange.Fetched.Body body)) continue; // quarantined by the exchange
            List<ResultsExchange.ServedResult> served;
            try {
                served = ResultsExchange.parseBundle(body.bytes());
            } catch (IllegalArgumentException malformed) {
                exchange.misbehaved(peer, "a malformed answer: " + malformed.getMessage());
                continue;
            }
            // every entry is checked before any is kept: from a peer caught once, nothing of this answer is used
            Map<NodeIdentity, HeardResult> fetched = new LinkedHashMap<>();
            Optional<String> wrong = Optional.empty();
            for (ResultsExchange.ServedResult s : served) {
                if (wrong.isPresent()) break;
                NodeIdentity trainer = bySigner.get(Pubkey.of(s.signer()));
                if (trainer == null || r.results().containsKey(trainer)) continue;
                wrong = ResultsExchange.rejection(layout, s, r.step(), assignment.get(trainer), trainer);
                if (wrong.isEmpty()) fetched.put(trainer, new HeardResult(s.wire(), s.commitment()));
            }
            if (wrong.isPresent()) exchange.misbehaved(peer, wrong.get());
            else fetched.forEach(r.results()::putIfAbsent);
        }
    }

    /**
     * The results of a round every session applies, in one order for all (by signer, so all apply the same sums bit
     * for bit): those whose trainer a witness quorum put in its participant bloom and whose commitment a witness
     * quorum put in its broadcast bloom. The second test is Psyche's batch consensus
     * ({@code select_consensus_commitment_by_witnesses}; a batch has one trainer here, so one candidate commitment):
     * it keeps out bytes that differ from what the witnesses heard, e.g. from a peer that served this session other
     * bytes than it committed to elsewhere. No witnesses: no consensus.
     */
    static List<NodeIdentity> consensus(Map<NodeIdentity, HeardResult> results, List<Witness> witnesses, int quorum) {
        List<NodeIdentity> accepted = new ArrayList<>();
        if (witnesses.isEmpty()) return accepted;
        List<Map.Entry<NodeIdentity, HeardResult>> entries = new ArrayList<>(results.entrySet());
        entries.sort(Comparator.comparing(e -> e.getKey().signer().toBase58()));
        for (Map.Entry<NodeIdentity, HeardResult> e : entries) {
            if (Coordinator.trainerHealthyScore(e.getKey(), witnesses) < quorum) continue;
            int committed = 0;
            for (Witness w : witnesses) {
                if (Blooms.contains(w.broadcastBloom(), e.getValue().commitment())) committed++;
            }
            if (committed >= quorum) accepted.add(e.getKey());
        }
        return accepted;
    }

    /**
     * Whether a result is left out because its trainer is still warming up: the run's checkpoint is P2P (or P2PGcs:
     * clients from an earlier epoch hold the model) and the trainer has produced fewer than cold_start_warmup_steps
     * results ({@code trainer_nonce}, counted from 0). With a Hub/Gcs checkpoint every trainer is equally new.
     */
    static boolean trainerWarmingUp(long trainerNonce, psyche.config.LlmModel model) {
        boolean p2p = model.checkpoint() instanceof psyche.config.Checkpoint.P2P
                || model.checkpoint() instanceof psyche.config.Checkpoint.P2PGcs;
        return p2p && trainerNonce < model.coldStartWarmupSteps();
    }
}
