package psyche.chain;

import psyche.coordinator.InstanceState;

import java.util.Objects;

/**
 * The coordinator account: the run's whole state plus {@code nonce}, which every mutating instruction increments.
 * The layout version is fixed at {@link CoordinatorAccountCodec#VERSION}.
 */
public record CoordinatorAccount(InstanceState state, long nonce) {
    public CoordinatorAccount { Objects.requireNonNull(state, "state"); }

    public static CoordinatorAccount decode(byte[] data) { return CoordinatorAccountCodec.decode(data); }

    public byte[] encode() { return CoordinatorAccountCodec.encode(this); }
}
