package psyche.coordinator;

import java.util.Objects;

/**
 * A registered client of a run (program-side, never removed): points earned and slashed, and {@code active}, the
 * {@code next_active} value it joined with (it is pending when {@code active == next_active}).
 */
public record SolanaClient(NodeIdentity id, long earned, long slashed, long active) {
    public SolanaClient { Objects.requireNonNull(id, "id"); }
}
