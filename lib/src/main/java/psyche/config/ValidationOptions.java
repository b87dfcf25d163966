package psyche.config;

import java.util.OptionalInt;

/** What validation may assume beyond the config itself; today only how many clients the caller expects to join. */
public record ValidationOptions(OptionalInt expectedClients) {
    public ValidationOptions {
        java.util.Objects.requireNonNull(expectedClients, "expectedClients");
        if (expectedClients.isPresent() && expectedClients.getAsInt() < 0) {
            throw new IllegalArgumentException("expected clients must be >= 0, got " + expectedClients.getAsInt());
        }
    }

    public static ValidationOptions defaults() { return new ValidationOptions(OptionalInt.empty()); }

    public static ValidationOptions expectingClients(int clients) { return new ValidationOptions(OptionalInt.of(clients)); }
}
