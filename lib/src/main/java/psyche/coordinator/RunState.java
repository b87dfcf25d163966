package psyche.coordinator;

/** Coordinator run states (u8 on chain, in this order). */
public enum RunState {
    Uninitialized("Uninitialized"),
    WaitingForMembers("Waiting for members"),
    Warmup("Warmup"),
    RoundTrain("Training"),
    RoundWitness("Witness"),
    Cooldown("Cooldown"),
    Finished("Finished"),
    Paused("Paused");

    private final String display;

    RunState(String display) { this.display = display; }

    /** Psyche's Display text (what json-dump-run prints as {@code status.state}). */
    public String display() { return display; }

    public boolean halted() { return this == Uninitialized || this == Finished || this == Paused; }

    public boolean active() { return this == RoundTrain || this == RoundWitness || this == Cooldown; }
}
