package psyche.coordinator;

/** The state after an accepted health check and how many Healthy clients it marked Dropped. */
public record HealthCheckResult(CoordinatorState state, int dropped) {}
