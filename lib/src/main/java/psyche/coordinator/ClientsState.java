package psyche.coordinator;

import java.util.List;
import java.util.Objects;

/** The program-side registry of a run's clients and its reward rates ({@code clients_state.rs}). */
public record ClientsState(List<SolanaClient> clients, long nextActive, Rates currentEpochRates,
                           Rates futureEpochRates) {
    public ClientsState {
        clients = List.copyOf(clients);
        Objects.requireNonNull(currentEpochRates, "currentEpochRates");
        Objects.requireNonNull(futureEpochRates, "futureEpochRates");
        if (clients.size() > EpochState.MAX_CLIENTS) throw new IllegalArgumentException("at most 256 registered clients");
    }

    public static ClientsState empty() { return new ClientsState(List.of(), 0, Rates.ZERO, Rates.ZERO); }
}
