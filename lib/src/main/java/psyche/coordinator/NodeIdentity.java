package psyche.coordinator;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A client's identity: the Solana key that signs and the p2p (iroh) key. Equality is on {@code signer} only, as in
 * Psyche; {@link #toString()} is the 8-hex-char short id Psyche prints (collisions possible).
 */
public record NodeIdentity(Pubkey signer, Pubkey p2pIdentity) {
    public NodeIdentity {
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(p2pIdentity, "p2pIdentity");
    }

    public String shortId() { return HexFormat.of().formatHex(signer.bytes(), 0, 4); }

    @Override public boolean equals(Object o) { return o instanceof NodeIdentity n && signer.equals(n.signer); }

    @Override public int hashCode() { return signer.hashCode(); }

    @Override public String toString() { return shortId(); }
}
