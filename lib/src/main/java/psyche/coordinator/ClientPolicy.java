package psyche.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a client sends, decided from what it sees of the coordinator: pure functions of the state, shared by the
 * simulator on virtual time ({@code psyche.sim.Simulation}) and the clients that follow a chain
 * ({@code psyche.client.ChainClient}, which training clients use), so both send the same instructions for the
 * same state. Who sends (which witness reports, when a simulated client is online) stays with each driver.
 */
public final class ClientPolicy {
    private ClientPolicy() {}

    /**
     * The witness proof of {@code self} in the current round when it is one of the round's witnesses; empty when it
     * is not, when it is no epoch client, or when no round is running.
     */
    public static Optional<WitnessProof> witnessDuty(CoordinatorState c, NodeIdentity self) {
        Round round = Coordinator.currentRound(c);
        int index = Coordinator.clientIndex(c, self);
        if (round == null || index < 0 || round.clientsLen() == 0) return Optional.empty();
        WitnessProof proof = Coordinator.selection(c, round).witnessProof(index);
        return proof.witness() ? Optional.of(proof) : Optional.empty();
    }

    /**
     * The health checks the program accepts now: one for each previous-round client (Psyche's
     * {@code get_client_at_historical_index}) that is still Healthy although the previous round's witnesses did not
     * vouch for it, with its committee proof of that round, in previous-round order. Empty while halted, before
     * round height 2, and when the previous round has no witnesses (nothing was observed, so nobody is reported).
     */
    public static List<HealthCheck> healthChecks(CoordinatorState c) {
        if (c.runState().halted()) return List.of();
        Round round = Coordinator.currentRound(c);
        Round prev = Coordinator.previousRound(c);
        if (round == null || prev == null || round.height() < 2 || prev.witnesses().isEmpty()) return List.of();
        CommitteeSelection selection = Coordinator.selection(c, prev);
        List<HealthCheck> checks = new ArrayList<>();
        for (int i = 0; i < prev.clientsLen(); i++) {
            Client target = Coordinator.clientAtHistoricalIndex(c, i, prev.clientsLen());
            if (target == null || target.state() != ClientState.Healthy) continue;
            HealthCheck check = new HealthCheck(target.id(), selection.committeeProof(i));
            try {
                Coordinator.healthCheck(c, target.id(), List.of(check)); // the program's own test: unhealthy?
            } catch (CoordinatorException healthyOrNoRule) {
                continue;
            }
            checks.add(check);
        }
        return checks;
    }

    /**
     * Whether {@code self} sends {@code join_run} now: the run waits for members and {@code self} is not yet
     * registered as pending for the next epoch (its registry entry's {@code active} is not {@code next_active}).
     * Who may join (authorization) and when a refusal stops retrying stay with each client.
     */
    public static boolean joinDue(InstanceState s, NodeIdentity self) {
        if (s.coordinator().runState() != RunState.WaitingForMembers) return false;
        for (SolanaClient r : s.clientsState().clients()) {
            if (r.id().signer().equals(self.signer())) return r.active() != s.clientsState().nextActive();
        }
        return true;
    }

    /**
     * The warmup witness proof of {@code self}: in Warmup, for an epoch client whose index no warmup witness of the
     * round carries yet. Warmup witnesses carry no committee proof on chain: position = index, witness = true.
     */
    public static Optional<WitnessProof> warmupWitnessDuty(CoordinatorState c, NodeIdentity self) {
        if (c.runState() != RunState.Warmup) return Optional.empty();
        int index = Coordinator.clientIndex(c, self);
        Round round = Coordinator.currentRound(c);
        if (index < 0 || round == null) return Optional.empty();
        for (Witness w : round.witnesses()) if (w.proof().index() == index) return Optional.empty();
        return Optional.of(new WitnessProof(index, index, true));
    }

    /**
     * The witness a client reports with {@code proof} (a round witness or a warmup witness): a participant bloom
     * (seeded {@code participantSeed}) of the epoch clients it {@code heard}, a broadcast bloom (seeded
     * {@code broadcastSeed}) of the result commitments it holds for them ({@code commitment}, empty when it holds
     * none) and the {@link BroadcastMerkle} root over those commitments in epoch-client order. The same state and
     * inputs give the same witness: what differs between the simulator and a real client is what it heard.
     */
    public static Witness witness(WitnessProof proof, List<Client> epochClients, Predicate<NodeIdentity> heard,
                                  Function<NodeIdentity, Optional<byte[]>> commitment, long participantSeed,
                                  long broadcastSeed) {
        WitnessBloom participants = Blooms.emptySeeded(participantSeed);
        WitnessBloom broadcasts = Blooms.emptySeeded(broadcastSeed);
        List<byte[]> results = new ArrayList<>();
        for (Client client : epochClients) {
            if (!heard.test(client.id())) continue;
            participants = Blooms.add(participants, Blooms.participantItem(client.id()));
            Optional<byte[]> c = commitment.apply(client.id());
            if (c.isEmpty()) continue;
            broadcasts = Blooms.add(broadcasts, c.get());
            results.add(c.get());
        }
        return new Witness(proof, participants, broadcasts, BroadcastMerkle.root(results));
    }

    /** For a client that holds no results (the simulator's, or one that heard nothing): no commitments. */
    public static Optional<byte[]> noCommitment(NodeIdentity peer) { return Optional.empty(); }

    /**
     * Whether a tick at {@code now} is worth sending: the program's tick moves the run (its state, step or round)
     * rather than refusing or changing nothing.
     */
    public static boolean tickDue(InstanceState s, long now) {
        if (s.coordinator().runState().halted()) return false;
        InstanceState next;
        try {
            next = RunProgram.tick(s, now, 0);
        } catch (RuntimeException refused) {
            return false;
        }
        return tickMoves(s, next);
    }

    /** Whether {@code after}, the state a tick gave, moved the run from {@code before} (state, step or round). */
    public static boolean tickMoves(InstanceState before, InstanceState after) {
        CoordinatorState b = before.coordinator();
        CoordinatorState a = after.coordinator();
        return a.runState() != b.runState() || a.progress().step() != b.progress().step()
                || a.epochState().roundsHead() != b.epochState().roundsHead();
    }
}
