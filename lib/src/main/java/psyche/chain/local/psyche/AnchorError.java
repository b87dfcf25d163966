package psyche.chain.local.psyche;

/**
 * Anchor 0.30.1's framework errors ({@code lang/src/error.rs}) that the local Psyche programs raise when an
 * account constraint fails, with Anchor's numbers and messages.
 */
public enum AnchorError {
    InstructionMissing(100, "8 byte instruction identifier not provided"),
    InstructionFallbackNotFound(101, "Fallback functions are not supported"),
    InstructionDidNotDeserialize(102, "The program could not deserialize the given instruction"),
    ConstraintMut(2000, "A mut constraint was violated"),
    ConstraintHasOne(2001, "A has one constraint was violated"),
    ConstraintSigner(2002, "A signer constraint was violated"),
    ConstraintRaw(2003, "A raw constraint was violated"),
    ConstraintOwner(2004, "An owner constraint was violated"),
    ConstraintSeeds(2006, "A seeds constraint was violated"),
    ConstraintAssociated(2009, "An associated constraint was violated"),
    ConstraintTokenMint(2014, "A token mint constraint was violated"),
    ConstraintTokenOwner(2015, "A token owner constraint was violated"),
    AccountDiscriminatorAlreadySet(3000, "The account discriminator was already set on this account"),
    AccountDiscriminatorNotFound(3001, "No 8 byte discriminator was found on the account"),
    AccountDiscriminatorMismatch(3002, "8 byte discriminator did not match what was expected"),
    AccountDidNotDeserialize(3003, "Failed to deserialize the account"),
    AccountNotEnoughKeys(3005, "Not enough account keys given to the instruction"),
    AccountNotMutable(3006, "The given account is not mutable"),
    AccountOwnedByWrongProgram(3007, "The given account is owned by a different program than expected"),
    InvalidProgramId(3008, "Program ID was not as expected"),
    InvalidProgramExecutable(3009, "Program account is not executable"),
    AccountNotSigner(3010, "The given account did not sign"),
    AccountNotSystemOwned(3011, "The given account is not owned by the system program"),
    AccountNotInitialized(3012, "The program expected this account to be already initialized"),
    AccountNotAssociatedTokenAccount(3014, "The given account is not the associated token account");

    private final int code;
    private final String message;

    AnchorError(int code, String message) {
        this.code = code;
        this.message = message;
    }

    public int code() { return code; }

    public String message() { return message; }
}
