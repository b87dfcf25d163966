package psyche.coordinator;

import java.util.Objects;

/** A client's claim to a committee: committee, shuffled position, index into the round's clients. */
public record CommitteeProof(Committee committee, long position, long index) {
    public CommitteeProof { Objects.requireNonNull(committee, "committee"); }
}
