package psyche.coordinator;

import java.util.Objects;

/** A client of the current epoch; {@code exitedHeight} is the round height at which it left (0 while in). */
public record Client(NodeIdentity id, ClientState state, long exitedHeight) {
    public Client {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
    }

    public static Client healthy(NodeIdentity id) { return new Client(id, ClientState.Healthy, 0); }

    public Client withState(ClientState newState) { return new Client(id, newState, exitedHeight); }
}
