package psyche.coordinator;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** A witness report stored in a round: proof, participant and broadcast blooms, merkle root of broadcasts. */
public record Witness(WitnessProof proof, WitnessBloom participantBloom, WitnessBloom broadcastBloom,
                      byte[] broadcastMerkle) {
    public Witness {
        Objects.requireNonNull(proof, "proof");
        Objects.requireNonNull(participantBloom, "participantBloom");
        Objects.requireNonNull(broadcastBloom, "broadcastBloom");
        if (broadcastMerkle == null || broadcastMerkle.length != 32) {
            throw new IllegalArgumentException("broadcast merkle root is 32 bytes");
        }
        broadcastMerkle = broadcastMerkle.clone();
    }

    @Override public byte[] broadcastMerkle() { return broadcastMerkle.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof Witness w && proof.equals(w.proof) && participantBloom.equals(w.participantBloom)
                && broadcastBloom.equals(w.broadcastBloom) && Arrays.equals(broadcastMerkle, w.broadcastMerkle);
    }

    @Override public int hashCode() { return Objects.hash(proof, participantBloom, broadcastBloom, Arrays.hashCode(broadcastMerkle)); }

    @Override public String toString() {
        return "Witness[" + proof + ", merkle=" + HexFormat.of().formatHex(broadcastMerkle, 0, 4) + "…]";
    }
}
