package psyche.coordinator;

/**
 * Psyche's {@code CoordinatorError} variants, in the order of their program error codes 6010–6021
 * ({@code program_error.rs}). {@link #InvalidCheckpoint} is kept for code numbering; the engine raises
 * {@link #InvalidCommitteeProof} for a checkpoint from a non-client, as Psyche's {@code checkpoint} does.
 */
public enum CoordinatorError {
    NoActiveRound("No active round", "the run has no round yet; wait for the first training round"),
    InvalidWitness("Invalid witness", "the witness proof does not match this round's committee selection; recompute it for the current round"),
    InvalidRunState("Invalid run state", "this operation is not accepted in the run's current state; check the state first"),
    DuplicateWitness("Duplicate witness", "this client already witnessed the current round; send one witness per round"),
    InvalidHealthCheck("Invalid health check", "health checks need round height >= 2 and may only list unhealthy clients; drop healthy ones from the batch"),
    Halted("Halted", "the run is Uninitialized, Paused or Finished; resume it (set-paused --resume) first"),
    InvalidCheckpoint("Invalid checkpoint", "the checkpoint was rejected"),
    WitnessesFull("Witnesses full", "the round already holds 32 witnesses"),
    CannotResume("Cannot resume", "only a Paused run can be resumed"),
    InvalidWithdraw("Invalid withdraw", "the client index is out of range or the client is not Healthy"),
    InvalidCommitteeSelection("Invalid committee selection", "the round has fewer clients than witness_nodes or tie breakers, or verification_percent > 100; check the config"),
    InvalidCommitteeProof("Invalid committee proof", "the proof does not match the client at that index in that round; recompute it");

    private final String message;
    private final String hint;

    CoordinatorError(String message, String hint) {
        this.message = message;
        this.hint = hint;
    }

    /** Psyche's Display text. */
    public String message() { return message; }

    /** What to do about it. */
    public String hint() { return hint; }

    /** The on-chain program error code this maps to (6010 + ordinal). */
    public int programCode() { return 6010 + ordinal(); }
}
