package psyche.coordinator;

/**
 * The coordinator program's errors, codes 6000+ in declaration order ({@code program_error.rs}, spec §7), each with
 * Anchor's message and a hint for the person who hit it.
 */
public enum ProgramError {
    UpdateConfigFinished("Cannot update config of finished run", "a Finished run cannot be changed; create a new run"),
    UpdateConfigNotHalted("Cannot update config when not halted", "pause the run first (set-paused), then update config, model or progress"),
    CoordinatorAccountIncorrectSize("Coordinator account incorrect size", "the coordinator account must be created with the exact account size"),
    ClientsFull("Clients list full", "a run registers at most 256 distinct clients over its lifetime"),
    ConfigSanityCheckFailed("Config sanity check failed", "fix the [config] table (see the validation messages) and update again"),
    ModelSanityCheckFailed("Model sanity check failed", "fix the [model] table (checkpoint, optimizer, max_seq_len) and update again"),
    ProgressSanityCheckFailed("Progress sanity check failed", "progress.step must be > 0"),
    SignerNotAClient("Signer not a client", "join the run first (join_run), and be a client of the current epoch"),
    SignerMismatch("Signer mismatch", "client_id.signer must be the key that signs the transaction"),
    CloseCoordinatorNotHalted("Cannot close coordinator account when not halted", "pause the run before closing it"),
    CoordinatorErrorNoActiveRound("Coordinator error: No active round", CoordinatorError.NoActiveRound.hint()),
    CoordinatorErrorInvalidWitness("Coordinator error: Invalid witness", CoordinatorError.InvalidWitness.hint()),
    CoordinatorErrorInvalidRunState("Coordinator error: Invalid run state", CoordinatorError.InvalidRunState.hint()),
    CoordinatorErrorDuplicateWitness("Coordinator error: Duplicate witness", CoordinatorError.DuplicateWitness.hint()),
    CoordinatorErrorInvalidHealthCheck("Coordinator error: Invalid health check", CoordinatorError.InvalidHealthCheck.hint()),
    CoordinatorErrorHalted("Coordinator error: Halted", CoordinatorError.Halted.hint()),
    CoordinatorErrorInvalidCheckpoint("Coordinator error: Invalid checkpoint", CoordinatorError.InvalidCheckpoint.hint()),
    CoordinatorErrorWitnessesFull("Coordinator error: Witnesses full", CoordinatorError.WitnessesFull.hint()),
    CoordinatorErrorCannotResume("Coordinator error: Cannot resume", CoordinatorError.CannotResume.hint()),
    CoordinatorErrorInvalidWithdraw("Coordinator error: Invalid withdraw", CoordinatorError.InvalidWithdraw.hint()),
    CoordinatorErrorInvalidCommitteeSelection("Coordinator error: Invalid committee selection", CoordinatorError.InvalidCommitteeSelection.hint()),
    CoordinatorErrorInvalidCommitteeProof("Coordinator error: Invalid committee proof", CoordinatorError.InvalidCommitteeProof.hint()),
    MoreClientsThanBatches("There are more clients than total number of batches to assign", "registered clients cannot exceed global_batch_size_end; raise it or use fewer clients"),
    RunIdInvalidLength("run_id must be 32 bytes or less", "choose a run id of at most 32 bytes");

    public static final int FIRST_CODE = 6000;

    private final String message;
    private final String hint;

    ProgramError(String message, String hint) {
        this.message = message;
        this.hint = hint;
    }

    public int code() { return FIRST_CODE + ordinal(); }

    public String message() { return message; }

    public String hint() { return hint; }

    public static ProgramError of(CoordinatorError e) { return values()[CoordinatorErrorNoActiveRound.ordinal() + e.ordinal()]; }

    /** The error with this custom program error code, or null. */
    public static ProgramError fromCode(int code) {
        int i = code - FIRST_CODE;
        return i >= 0 && i < values().length ? values()[i] : null;
    }
}
