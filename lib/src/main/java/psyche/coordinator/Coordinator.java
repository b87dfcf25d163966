package psyche.coordinator;

import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.LlmModel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Psyche's coordinator state machine ({@code shared/coordinator/src/coordinator.rs}) as pure functions over
 * {@link CoordinatorState}: each operation returns a new state or throws {@link CoordinatorException}; the input
 * is never changed. {@code now} is unix seconds and {@code randomSeed} the round seed, both supplied by the caller.
 * Quirks of the Rust code are reproduced and marked "Quirk". Where Rust would panic (abort the transaction) on
 * input a client controls, this port refuses or skips instead, marked "Deviation" or "Psyche: ... panics".
 */
public final class Coordinator {
    private Coordinator() {}

    public static final int MAX_CLIENTS = EpochState.MAX_CLIENTS;
    public static final int MAX_WITNESSES = Round.MAX_WITNESSES;

    // ---------------------------------------------------------------- queries

    public static boolean halted(CoordinatorState s) { return s.runState().halted(); }

    public static boolean active(CoordinatorState s) { return s.runState().active(); }

    /** {@code rounds[rounds_head]}; null only if the head is out of range (never for states made here). */
    public static Round currentRound(CoordinatorState s) {
        long head = s.epochState().roundsHead();
        return head >= 0 && head < EpochState.NUM_STORED_ROUNDS ? s.epochState().rounds().get((int) head) : null;
    }

    /** The round before the current one in the ring; null at the epoch's first round (head 0, height 0). */
    public static Round previousRound(CoordinatorState s) {
        Round cur = currentRound(s);
        if (cur == null) return null;
        int head = (int) s.epochState().roundsHead();
        if (head == 0 && cur.height() == 0) return null;
        return s.epochState().rounds().get(head == 0 ? EpochState.NUM_STORED_ROUNDS - 1 : head - 1);
    }

    /** The round two before the current one; null while head is 0 and height ≤ 1. */
    public static Round previousPreviousRound(CoordinatorState s) {
        Round cur = currentRound(s);
        if (cur == null) return null;
        int head = (int) s.epochState().roundsHead();
        if (head == 0 && cur.height() <= 1) return null;
        int idx = switch (head) {
            case 0 -> EpochState.NUM_STORED_ROUNDS - 2;
            case 1 -> EpochState.NUM_STORED_ROUNDS - 1;
            default -> head - 2;
        };
        return s.epochState().rounds().get(idx);
    }

    /** Witnesses needed to end a round early: {@code witness_nodes}, or {@code min(clients, 32)} when 0. */
    public static int witnessNodesTarget(CoordinatorState s) {
        int wn = s.config().witnessNodes();
        return wn == 0 ? Math.min(s.epochState().clients().size(), MAX_WITNESSES) : wn;
    }

    /**
     * {@code witness_quorum(n)}: W = {@code witness_nodes}, or n when 0; 1→1, 2→2, 3→2, else
     * {@code max(1, floor(W * 2/3))} computed in f64 like Psyche.
     */
    public static int witnessQuorum(CoordinatorConfig config, int numWitnesses) {
        int w = config.witnessNodes() == 0 ? numWitnesses : config.witnessNodes();
        return switch (w) {
            // Psyche: unreachable!() for 0; callers only ask with 0 when witness_nodes is 0 and nobody witnessed,
            // and tick_round_witness returns before that. Answer 0 so the comparison is simply false.
            case 0 -> 0;
            case 1 -> 1;
            case 2, 3 -> 2;
            default -> Math.max(1, (int) (w * (2.0 / 3.0)));
        };
    }

    /** Number of witnesses of {@code witnesses} whose participant bloom holds {@code sha256(id.signer)}. */
    public static int trainerHealthyScore(NodeIdentity id, List<Witness> witnesses) {
        byte[] item = Blooms.participantItem(id);
        int score = 0;
        for (Witness w : witnesses) if (Blooms.contains(w.participantBloom(), item)) score++;
        return score;
    }

    /** {@code trainer_healthy}: score over the previous round's witnesses ≥ quorum of their count. */
    public static boolean trainerHealthy(CoordinatorState s, NodeIdentity id) {
        Round prev = previousRound(s);
        if (prev == null) throw new CoordinatorException(CoordinatorError.NoActiveRound, "no previous round");
        return trainerHealthyScore(id, prev.witnesses()) >= witnessQuorum(s.config(), prev.witnesses().size());
    }

    /**
     * {@code healthy(id, proof)}: the proof must name {@code id} at a historical index of the previous round and
     * verify against that round's committee selection; Trainers are judged by {@link #trainerHealthy}.
     */
    public static boolean healthy(CoordinatorState s, NodeIdentity id, CommitteeProof proof) {
        Round prev = previousRound(s);
        if (prev == null) throw new CoordinatorException(CoordinatorError.NoActiveRound, "no previous round");
        long index = proof.index();
        if (index < 0 || index >= prev.clientsLen()) {
            throw new CoordinatorException(CoordinatorError.InvalidCommitteeProof,
                    "index " + index + " outside the previous round's " + prev.clientsLen() + " clients");
        }
        Client client = clientAtHistoricalIndex(s, (int) index, prev.clientsLen());
        if (client == null) throw new CoordinatorException(CoordinatorError.InvalidCommitteeProof, "no client at index " + index);
        CommitteeSelection selection = selection(s, prev);
        if (!client.id().equals(id)
                || !selection.verifyCommitteeForClient(client.id(), proof, s.epochState().clients())) {
            throw new CoordinatorException(CoordinatorError.InvalidCommitteeProof,
                    "proof for " + id + " at index " + index + " does not verify");
        }
        return switch (proof.committee()) {
            // Psyche: todo!() (a panic) for tie breakers and verifiers, which never exist in practice
            case TieBreaker, Verifier -> throw new UnsupportedOperationException(
                    "Psyche has no health rule for " + proof.committee() + " (todo!() in coordinator.rs)");
            case Trainer -> trainerHealthy(s, client.id());
        };
    }

    /**
     * {@code get_client_at_historical_index}: index n of a round that had {@code prevClientsLen} clients — a
     * current client, or one of the most recently exited ones.
     */
    public static Client clientAtHistoricalIndex(CoordinatorState s, int n, int prevClientsLen) {
        List<Client> clients = s.epochState().clients();
        if (n < clients.size()) return clients.get(n);
        if (n < prevClientsLen) {
            List<Client> exited = s.epochState().exitedClients();
            int offset = prevClientsLen - n - 1;
            int idx = exited.size() - 1 - offset;
            return idx >= 0 ? exited.get(idx) : null;
        }
        return null;
    }

    /** The batch size of {@code round} (or, with none, of the epoch start): {@code get_target_global_batch_size}. */
    public static int targetGlobalBatchSize(CoordinatorState s, Round round) {
        long dataIndex = round != null ? round.dataIndex() : s.progress().epochStartDataIndex();
        return s.config().globalBatchSize(dataIndex * s.model().maxSeqLen());
    }

    /** {@code [start_step, start_step + cold_start_warmup_steps]} in a cold-start epoch, else null. */
    public static long[] coldStartWarmupBounds(CoordinatorState s) {
        long steps = s.model().coldStartWarmupSteps();
        if (!s.epochState().coldStartEpoch() || steps == 0) return null;
        return new long[] {s.epochState().startStep(), s.epochState().startStep() + steps};
    }

    public static boolean isWarmupJustStarting(CoordinatorState s) {
        return s.epochState().firstRound() && s.runState() == RunState.Warmup;
    }

    public static boolean isTrainingJustStarting(CoordinatorState s) {
        return s.epochState().firstRound() && s.runState() == RunState.RoundTrain;
    }

    /** The committee selection of {@code round} under this run's config. */
    public static CommitteeSelection selection(CoordinatorState s, Round round) {
        return CommitteeSelection.forRound(round, s.config().witnessNodes(), s.config().verificationPercent());
    }

    /** Index of {@code id} in the epoch's clients, or -1. */
    public static int clientIndex(CoordinatorState s, NodeIdentity id) {
        List<Client> clients = s.epochState().clients();
        for (int i = 0; i < clients.size(); i++) if (clients.get(i).id().equals(id)) return i;
        return -1;
    }

    // ---------------------------------------------------------------- operations

    /**
     * Advances the run. {@code pendingClients} is read only in WaitingForMembers (null = nobody offered, the tick
     * does nothing there).
     *
     * @throws CoordinatorException Halted when Uninitialized, Finished or Paused
     */
    public static TickResult tick(CoordinatorState s, List<NodeIdentity> pendingClients, long now, long randomSeed) {
        Work w = new Work(s);
        TickResult.Event ev = switch (s.runState()) {
            case Uninitialized, Finished, Paused -> throw new CoordinatorException(CoordinatorError.Halted,
                    "tick in state " + s.runState().display());
            case WaitingForMembers -> w.tickWaitingForMembers(pendingClients, now);
            case Warmup -> w.tickWarmup(now, randomSeed);
            case RoundTrain -> w.tickRoundTrain(now);
            case RoundWitness -> w.tickRoundWitness(now, randomSeed);
            case Cooldown -> w.tickCooldown(now);
        };
        return new TickResult(w.freeze(), ev);
    }

    /**
     * A warmup witness from any epoch client (no committee check). When the count reaches the witness target the
     * first round starts early. Ignored (state unchanged) once in RoundTrain.
     */
    public static CoordinatorState warmupWitness(CoordinatorState s, NodeIdentity from, Witness witness, long now,
                                                 long randomSeed) {
        if (halted(s)) throw new CoordinatorException(CoordinatorError.Halted, "warmup witness while " + s.runState().display());
        // Psyche: a warmup witness arriving after the transition is silently ignored
        if (s.runState() == RunState.RoundTrain) return s;
        if (s.runState() != RunState.Warmup) {
            throw new CoordinatorException(CoordinatorError.InvalidRunState,
                    "warmup witness in state " + s.runState().display() + ", expected Warmup");
        }
        List<Client> clients = s.epochState().clients();
        // Deviation: Rust would panic (index out of bounds) on a later witness if a bogus index were stored;
        // refusing it up front keeps the round usable.
        if (witness.proof().index() < 0 || witness.proof().index() >= clients.size()) {
            throw new CoordinatorException(CoordinatorError.InvalidWitness,
                    "witness index " + witness.proof().index() + " outside the " + clients.size() + " epoch clients");
        }
        int target = witnessNodesTarget(s);
        Round round = currentRound(s);
        checkDuplicate(clients, round, from);
        Work w = new Work(s);
        w.pushWitness(witness);
        if (w.currentRound().witnesses().size() == target) w.startRoundTrain(now, randomSeed, 0);
        return w.freeze();
    }

    /**
     * A round witness: accepted in RoundTrain and RoundWitness if the proof verifies for {@code from} against the
     * current round and claims witness membership. Reaching the witness target in RoundTrain moves to
     * RoundWitness at once ("opportunistic witnessing").
     */
    public static CoordinatorState witness(CoordinatorState s, NodeIdentity from, Witness witness, long now) {
        if (halted(s)) throw new CoordinatorException(CoordinatorError.Halted, "witness while " + s.runState().display());
        int target = witnessNodesTarget(s);
        if (s.runState() != RunState.RoundTrain && s.runState() != RunState.RoundWitness) {
            throw new CoordinatorException(CoordinatorError.InvalidRunState,
                    "witness in state " + s.runState().display() + ", expected Training or Witness");
        }
        Round round = currentRound(s);
        if (round == null) throw new CoordinatorException(CoordinatorError.NoActiveRound, "no current round");
        CommitteeSelection sel = selection(s, round);
        List<Client> clients = s.epochState().clients();
        if (!sel.verifyWitnessForClient(from, witness.proof(), clients) || !witness.proof().witness()) {
            throw new CoordinatorException(CoordinatorError.InvalidWitness,
                    from + " with proof " + witness.proof() + " is not a witness of round " + round.height());
        }
        checkDuplicate(clients, round, from);
        Work w = new Work(s);
        w.pushWitness(witness);
        if (w.currentRound().witnesses().size() == target && s.runState() != RunState.RoundWitness) {
            w.changeState(now, RunState.RoundWitness);
        }
        return w.freeze();
    }

    private static void checkDuplicate(List<Client> clients, Round round, NodeIdentity from) {
        for (Witness existing : round.witnesses()) {
            long idx = existing.proof().index();
            if (idx >= 0 && idx < clients.size() && clients.get((int) idx).id().equals(from)) {
                throw new CoordinatorException(CoordinatorError.DuplicateWitness, from + " already witnessed this round");
            }
        }
        if (round.witnesses().size() >= MAX_WITNESSES) {
            throw new CoordinatorException(CoordinatorError.WitnessesFull, "32 witnesses already stored");
        }
    }

    /**
     * Health checks: need current round height ≥ 2; every listed client must be unhealthy (if any one is
     * healthy the whole batch is rejected — issue #196); then Healthy → Dropped. The reporter is not rewarded.
     */
    public static HealthCheckResult healthCheck(CoordinatorState s, NodeIdentity from, List<HealthCheck> checks) {
        if (halted(s)) throw new CoordinatorException(CoordinatorError.Halted, "health check while " + s.runState().display());
        Round cur = currentRound(s);
        if (cur == null) throw new CoordinatorException(CoordinatorError.NoActiveRound, "no current round");
        if (cur.height() < 2) {
            throw new CoordinatorException(CoordinatorError.InvalidHealthCheck,
                    "round height " + cur.height() + " < 2: the pipeline is not filled yet");
        }
        for (HealthCheck c : checks) {
            if (healthy(s, c.id(), c.proof())) {
                throw new CoordinatorException(CoordinatorError.InvalidHealthCheck, c.id() + " is healthy");
            }
        }
        Work w = new Work(s);
        int dropped = 0;
        for (HealthCheck c : checks) {
            int index = (int) c.proof().index();
            // Quirk: the index is into the *current* clients list; Rust indexes clients[index] unchecked
            if (index >= w.clients().size()) continue;
            Client client = w.clients().get(index);
            if (client.state() == ClientState.Healthy) {
                w.setClient(index, client.withState(ClientState.Dropped));
                dropped++;
            }
        }
        return new HealthCheckResult(w.freeze(), dropped);
    }

    /**
     * Records where the model can be fetched. {@code index} must be {@code from}'s index among the epoch's clients
     * ({@code InvalidCommitteeProof} otherwise, as in Psyche). Merge: (P2P,Hub)→P2P, (P2PGcs,Gcs)→P2PGcs,
     * (Hub,Hub)→Hub, (Gcs,Gcs)→Gcs, (P2PGcs,Hub)→P2P, (P2P,Gcs)→P2PGcs, anything else ignored; last writer wins.
     * Allowed while halted.
     */
    public static CoordinatorState checkpoint(CoordinatorState s, NodeIdentity from, long index, Checkpoint repo) {
        List<Client> clients = s.epochState().clients();
        if (index < 0 || index >= clients.size() || !clients.get((int) index).id().equals(from)) {
            throw new CoordinatorException(CoordinatorError.InvalidCommitteeProof,
                    from + " is not the epoch client at index " + index);
        }
        Checkpoint cur = s.model().checkpoint();
        Checkpoint next = null;
        if (cur instanceof Checkpoint.P2P && repo instanceof Checkpoint.Hub h) next = new Checkpoint.P2P(h.repo());
        else if (cur instanceof Checkpoint.P2PGcs && repo instanceof Checkpoint.Gcs g) next = new Checkpoint.P2PGcs(g.repo());
        else if (cur instanceof Checkpoint.Hub && repo instanceof Checkpoint.Hub h) next = new Checkpoint.Hub(h.repo());
        else if (cur instanceof Checkpoint.Gcs && repo instanceof Checkpoint.Gcs g) next = new Checkpoint.Gcs(g.repo());
        else if (cur instanceof Checkpoint.P2PGcs && repo instanceof Checkpoint.Hub h) next = new Checkpoint.P2P(h.repo());
        else if (cur instanceof Checkpoint.P2P && repo instanceof Checkpoint.Gcs g) next = new Checkpoint.P2PGcs(g.repo());
        if (next == null) return s; // other combinations are ignored
        return with(s, s.model().withCheckpoint(next));
    }

    /** Healthy → Withdrawn for the client at {@code index}; {@code InvalidWithdraw} otherwise. */
    public static CoordinatorState withdraw(CoordinatorState s, long index) {
        List<Client> clients = s.epochState().clients();
        if (index < 0 || index >= clients.size() || clients.get((int) index).state() != ClientState.Healthy) {
            throw new CoordinatorException(CoordinatorError.InvalidWithdraw,
                    "no Healthy client at index " + index + " of " + clients.size());
        }
        Work w = new Work(s);
        w.setClient((int) index, clients.get((int) index).withState(ClientState.Withdrawn));
        return w.freeze();
    }

    /** Every Healthy client → Withdrawn. */
    public static CoordinatorState withdrawAll(CoordinatorState s) {
        Work w = new Work(s);
        w.withdrawAll();
        return w.freeze();
    }

    /**
     * Pause: {@code Halted} if halted; while active (Training/Witness/Cooldown) only sets {@code pending_pause}
     * (Cooldown is forced at the next witness timeout, Paused at its end); otherwise withdraws everyone and pauses
     * now with {@code cold_start_epoch = true}.
     */
    public static CoordinatorState pause(CoordinatorState s, long now) {
        if (halted(s)) throw new CoordinatorException(CoordinatorError.Halted, "pause while " + s.runState().display());
        Work w = new Work(s);
        if (active(s)) {
            w.pendingPause = true;
        } else {
            w.withdrawAll();
            w.changeState(now, RunState.Paused);
            w.coldStartEpoch = true;
        }
        return w.freeze();
    }

    /** Resume a Paused run: WaitingForMembers, or Finished when {@code step >= total_steps}. */
    public static CoordinatorState resume(CoordinatorState s, long now) {
        if (s.runState() != RunState.Paused) {
            throw new CoordinatorException(CoordinatorError.CannotResume, "run is " + s.runState().display());
        }
        Work w = new Work(s);
        w.startWaitingForMembers(now);
        return w.freeze();
    }

    // ---------------------------------------------------------------- copies

    public static CoordinatorState with(CoordinatorState s, LlmModel model) {
        return new CoordinatorState(s.runId(), s.runState(), model, s.config(), s.progress(), s.epochState(),
                s.runStateStartUnixTimestamp(), s.pendingPause());
    }

    public static CoordinatorState with(CoordinatorState s, CoordinatorConfig config) {
        return new CoordinatorState(s.runId(), s.runState(), s.model(), config, s.progress(), s.epochState(),
                s.runStateStartUnixTimestamp(), s.pendingPause());
    }

    public static CoordinatorState with(CoordinatorState s, Progress progress) {
        return new CoordinatorState(s.runId(), s.runState(), s.model(), s.config(), progress, s.epochState(),
                s.runStateStartUnixTimestamp(), s.pendingPause());
    }

    public static CoordinatorState with(CoordinatorState s, RunState runState) {
        return new CoordinatorState(s.runId(), runState, s.model(), s.config(), s.progress(), s.epochState(),
                s.runStateStartUnixTimestamp(), s.pendingPause());
    }

    // ---------------------------------------------------------------- mutable working copy

    /** A private, mutable copy of one state for the duration of one operation; lists are copied on first write. */
    private static final class Work {
        final String runId;
        RunState runState;
        LlmModel model;
        final CoordinatorConfig config;
        int epoch;
        long step;
        long epochStartDataIndex;
        final Round[] rounds;
        List<Client> clients;
        boolean clientsOwned;
        List<Client> exited;
        boolean exitedOwned;
        long roundsHead;
        long startStep;
        long lastStep;
        long startTimestamp;
        boolean firstRound;
        boolean coldStartEpoch;
        long runStateStart;
        boolean pendingPause;

        Work(CoordinatorState s) {
            runId = s.runId();
            runState = s.runState();
            model = s.model();
            config = s.config();
            epoch = s.progress().epoch();
            step = s.progress().step();
            epochStartDataIndex = s.progress().epochStartDataIndex();
            EpochState e = s.epochState();
            rounds = e.rounds().toArray(new Round[0]);
            clients = e.clients();
            exited = e.exitedClients();
            roundsHead = e.roundsHead();
            startStep = e.startStep();
            lastStep = e.lastStep();
            startTimestamp = e.startTimestamp();
            firstRound = e.firstRound();
            coldStartEpoch = e.coldStartEpoch();
            runStateStart = s.runStateStartUnixTimestamp();
            pendingPause = s.pendingPause();
        }

        CoordinatorState freeze() {
            EpochState e = new EpochState(List.of(rounds), clients, exited, roundsHead, startStep, lastStep,
                    startTimestamp, firstRound, coldStartEpoch);
            return new CoordinatorState(runId, runState, model, config, new Progress(epoch, step, epochStartDataIndex),
                    e, runStateStart, pendingPause);
        }

        List<Client> clients() { return clients; }

        void setClient(int i, Client c) {
            if (!clientsOwned) {
                clients = new ArrayList<>(clients);
                clientsOwned = true;
            }
            clients.set(i, c);
        }

        Round currentRound() { return rounds[(int) roundsHead]; }

        void pushWitness(Witness witness) {
            Round r = currentRound();
            List<Witness> ws = new ArrayList<>(r.witnesses().size() + 1);
            ws.addAll(r.witnesses());
            ws.add(witness);
            rounds[(int) roundsHead] = new Round(ws, r.dataIndex(), r.randomSeed(), r.height(), r.clientsLen(),
                    r.tieBreakerTasks());
        }

        void clearCurrentWitnesses() {
            Round r = currentRound();
            if (!r.witnesses().isEmpty()) {
                rounds[(int) roundsHead] = new Round(List.of(), r.dataIndex(), r.randomSeed(), r.height(),
                        r.clientsLen(), r.tieBreakerTasks());
            }
        }

        boolean checkTimeout(long now, long duration) {
            return runStateStart != now && now >= duration + runStateStart;
        }

        boolean checkEpochTimeout(long now) {
            return startTimestamp != now && now >= startTimestamp + config.epochTime();
        }

        void changeState(long now, RunState next) {
            // Psyche asserts the state really changes
            if (runState == next) throw new IllegalStateException("state change to the same state " + next);
            runStateStart = now;
            runState = next;
        }

        void startWaitingForMembers(long now) {
            changeState(now, step < config.totalSteps() ? RunState.WaitingForMembers : RunState.Finished);
        }

        void startCooldown(long now) {
            clearCurrentWitnesses(); // Psyche: cleared for re-use in the next warmup
            changeState(now, RunState.Cooldown);
        }

        void moveClientsToExited(long height) {
            boolean any = false;
            for (Client c : clients) if (c.state() != ClientState.Healthy) { any = true; break; }
            if (!any) return;
            List<Client> kept = new ArrayList<>(clients.size());
            List<Client> ex = new ArrayList<>(exited);
            for (Client c : clients) {
                if (c.state() != ClientState.Healthy) {
                    if (ex.size() >= MAX_CLIENTS) {
                        // Psyche: FixedVec push().unwrap() panics here (transaction fails)
                        throw new IllegalStateException("more than 256 exited clients in one epoch");
                    }
                    ex.add(new Client(c.id(), c.state(), height));
                } else {
                    kept.add(c);
                }
            }
            clients = kept;
            clientsOwned = true;
            exited = ex;
            exitedOwned = true;
        }

        void withdrawAll() {
            for (int i = 0; i < clients.size(); i++) {
                Client c = clients.get(i);
                if (c.state() == ClientState.Healthy) setClient(i, c.withState(ClientState.Withdrawn));
            }
        }

        void startRoundTrain(long now, long randomSeed, int tieBreakerTasks) {
            int nextHead;
            long nextHeight;
            long nextDataIndex;
            if (firstRound) {
                nextHead = 0;
                nextHeight = 0;
                nextDataIndex = epochStartDataIndex;
            } else {
                Round prev = rounds[(int) roundsHead];
                int prevBatch = config.globalBatchSize(prev.dataIndex() * model.maxSeqLen());
                nextHead = (int) ((roundsHead + 1) % rounds.length);
                nextHeight = prev.height() + 1;
                nextDataIndex = prev.dataIndex() + prevBatch;
            }
            roundsHead = nextHead;
            rounds[nextHead] = new Round(List.of(), nextDataIndex, randomSeed, nextHeight, clients.size(),
                    tieBreakerTasks);
            changeState(now, RunState.RoundTrain);
        }

        TickResult.Event tickWaitingForMembers(List<NodeIdentity> pending, long now) {
            if (pending == null) return TickResult.Event.TICKED;
            if (pending.size() >= config.initMinClients() && checkTimeout(now, config.waitingForMembersExtraTime())) {
                // make sure unhealthy clients are kicked before the epoch state is zeroed
                moveClientsToExited(currentRound().height());
                Set<NodeIdentity> pendingSet = new HashSet<>(pending);
                boolean allPrevGone = true;
                for (Client c : clients) if (pendingSet.contains(c.id())) { allPrevGone = false; break; }
                if (allPrevGone) {
                    // no peer of the last epoch can serve the model over P2P: fall back to the hub/bucket copy
                    Checkpoint cp = model.checkpoint();
                    if (cp instanceof Checkpoint.P2P p) model = model.withCheckpoint(new Checkpoint.Hub(p.repo()));
                    else if (cp instanceof Checkpoint.P2PGcs g) model = model.withCheckpoint(new Checkpoint.Gcs(g.repo()));
                }
                // zero the epoch state, keeping cold_start_epoch
                Round empty = Round.empty();
                for (int i = 0; i < rounds.length; i++) rounds[i] = empty;
                exited = List.of();
                roundsHead = 0;
                lastStep = 0;
                firstRound = true;
                startStep = step;
                startTimestamp = now;
                List<Client> fresh = new ArrayList<>(Math.min(pending.size(), MAX_CLIENTS));
                for (int i = 0; i < pending.size() && i < MAX_CLIENTS; i++) fresh.add(Client.healthy(pending.get(i)));
                clients = fresh;
                clientsOwned = true;
                changeState(now, RunState.Warmup);
            }
            return TickResult.Event.TICKED;
        }

        TickResult.Event tickWarmup(long now, long randomSeed) {
            if (checkTimeout(now, config.warmupTime())) {
                startRoundTrain(now, randomSeed, 0);
            } else {
                moveClientsToExited(0);
            }
            if (clients.size() < config.minClients()) {
                startWaitingForMembers(now);
                return TickResult.Event.EPOCH_END_FAILURE;
            }
            return TickResult.Event.TICKED;
        }

        TickResult.Event tickRoundTrain(long now) {
            if (checkTimeout(now, config.maxRoundTrainTime())) changeState(now, RunState.RoundWitness);
            return TickResult.Event.TICKED;
        }

        TickResult.Event tickRoundWitness(long now, long randomSeed) {
            if (!checkTimeout(now, config.roundWitnessTime())) return TickResult.Event.TICKED;
            firstRound = false;
            step += 1;
            Round cur = currentRound();
            long height = cur.height();
            int numWitnesses = cur.witnesses().size();
            moveClientsToExited(height);
            // no witnesses: cannot tell whether only the witnesses or everyone left; withdraw all and cool down
            if (numWitnesses == 0) {
                withdrawAll();
                startCooldown(now);
                return TickResult.Event.TICKED;
            }
            // epoch timed out: two more (drain) rounds; stored only if ≥ 4 so an epoch has room for the pipeline
            if (checkEpochTimeout(now) && lastStep == 0) {
                long last = step + 2;
                if (last >= 4) lastStep = last;
            }
            if (lastStep != 0 && step == lastStep) {
                startCooldown(now);
                return TickResult.Event.TICKED;
            }
            if (clients.size() < config.minClients()
                    || numWitnesses < witnessQuorum(config, numWitnesses)
                    || step >= config.totalSteps()
                    || pendingPause) {
                startCooldown(now);
                return TickResult.Event.TICKED;
            }
            startRoundTrain(now, randomSeed, 0);
            return TickResult.Event.TICKED;
        }

        TickResult.Event tickCooldown(long now) {
            if (!checkTimeout(now, config.cooldownTime())) return TickResult.Event.TICKED;
            Round cur = currentRound();
            int lastBatch = config.globalBatchSize(cur.dataIndex() * model.maxSeqLen());
            epochStartDataIndex = cur.dataIndex() + lastBatch;
            epoch = (epoch + 1) & 0xFFFF; // u16
            moveClientsToExited(cur.height());
            // an epoch completed: peers hold the model now, serve it over P2P
            Checkpoint cp = model.checkpoint();
            if (cp instanceof Checkpoint.Hub h) model = model.withCheckpoint(new Checkpoint.P2P(h.repo()));
            else if (cp instanceof Checkpoint.Dummy d) model = model.withCheckpoint(new Checkpoint.P2P(d.repo()));
            else if (cp instanceof Checkpoint.Gcs g) model = model.withCheckpoint(new Checkpoint.P2PGcs(g.repo()));
            if (pendingPause) {
                withdrawAll();
                changeState(now, RunState.Paused);
                pendingPause = false;
                coldStartEpoch = true;
            } else {
                startWaitingForMembers(now);
                coldStartEpoch = false;
            }
            return TickResult.Event.EPOCH_END_SUCCESS;
        }
    }
}
