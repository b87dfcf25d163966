package psyche.coordinator;

/** A client's claim to a committee slot: its shuffled {@code position}, its {@code index} and whether it is a witness. */
public record WitnessProof(long position, long index, boolean witness) {}
