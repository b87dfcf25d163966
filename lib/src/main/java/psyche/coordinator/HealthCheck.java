package psyche.coordinator;

import java.util.Objects;

/** One entry of a {@code health_check}: the client reported unhealthy and its committee proof of the previous round. */
public record HealthCheck(NodeIdentity id, CommitteeProof proof) {
    public HealthCheck {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(proof, "proof");
    }
}
