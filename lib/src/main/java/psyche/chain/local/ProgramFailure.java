package psyche.chain.local;

import psyche.PsycheException;

/**
 * Thrown by a {@link Program} to fail the current instruction (and so roll back the whole transaction). Carries the
 * Solana {@link InstructionError}, e.g. {@code ProgramFailure.custom(6001)} for an Anchor program's second error.
 */
public final class ProgramFailure extends PsycheException {
    private static final long serialVersionUID = 1L;
    private final transient InstructionError error;

    public ProgramFailure(InstructionError error) {
        super(error.message());
        this.error = error;
    }

    public ProgramFailure(InstructionError error, String detail) {
        super(error.message() + ": " + detail);
        this.error = error;
    }

    public static ProgramFailure custom(long code) { return new ProgramFailure(InstructionError.custom(code)); }

    public InstructionError error() { return error; }
}
