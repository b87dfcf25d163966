package psyche.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
}
