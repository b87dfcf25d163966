package psyche.coordinator;

/** Committee of a client in a round (repr(C) 4-byte tag, in this order). */
public enum Committee {
    TieBreaker("Tie breaker"), Verifier("Verifier"), Trainer("Trainer");

    private final String display;

    Committee(String display) { this.display = display; }

    public String display() { return display; }
}
