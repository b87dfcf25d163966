package psyche.coordinator;

import java.util.List;

/** One training round (ring of 4 per epoch). {@code tieBreakerTasks} is always 0 in Psyche. */
public record Round(List<Witness> witnesses, long dataIndex, long randomSeed, long height, int clientsLen,
                    int tieBreakerTasks) {
    public static final int MAX_WITNESSES = 32;

    public Round {
        witnesses = List.copyOf(witnesses);
        if (witnesses.size() > MAX_WITNESSES) throw new IllegalArgumentException("at most 32 witnesses per round");
    }

    public static Round empty() { return new Round(List.of(), 0, 0, 0, 0, 0); }
}
