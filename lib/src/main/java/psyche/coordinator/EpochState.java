package psyche.coordinator;

import java.util.List;

/**
 * State of the current epoch, zeroed at each epoch start (except {@code coldStartEpoch}). {@code rounds} always has
 * 4 slots (a ring indexed by {@code roundsHead}); {@code lastStep} 0 means unset.
 */
public record EpochState(List<Round> rounds, List<Client> clients, List<Client> exitedClients, long roundsHead,
                         long startStep, long lastStep, long startTimestamp, boolean firstRound,
                         boolean coldStartEpoch) {
    public static final int NUM_STORED_ROUNDS = 4;
    public static final int MAX_CLIENTS = 256;

    public EpochState {
        rounds = List.copyOf(rounds);
        clients = List.copyOf(clients);
        exitedClients = List.copyOf(exitedClients);
        if (rounds.size() != NUM_STORED_ROUNDS) throw new IllegalArgumentException("an epoch stores exactly 4 rounds");
        if (clients.size() > MAX_CLIENTS || exitedClients.size() > MAX_CLIENTS) {
            throw new IllegalArgumentException("at most 256 clients and 256 exited clients");
        }
    }

    public static EpochState zeroed() {
        Round r = Round.empty();
        return new EpochState(List.of(r, r, r, r), List.of(), List.of(), 0, 0, 0, 0, false, false);
    }
}
