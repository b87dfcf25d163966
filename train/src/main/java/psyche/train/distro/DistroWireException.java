package psyche.train.distro;

/**
 * Bytes that are not a DisTrO result of the expected layout: truncated, corrupted, trailing data, another format
 * version, or a result of another model or compression config. A receiver treats such a result as not received.
 */
public final class DistroWireException extends IllegalArgumentException {
    DistroWireException(String message) {
        super(message);
    }
}
