package psyche.chain;

/**
 * Anchor 0.30.1's framework errors ({@code lang/src/error.rs}), with Anchor's numbers and messages: what every
 * Anchor program (Psyche's three included) fails with when an account constraint or instruction decoding fails.
 * The local chain raises them; {@link ProgramErrors} names them in RPC failures.
 */
public enum AnchorError {
    InstructionMissing(100, "8 byte instruction identifier not provided"),
    InstructionFallbackNotFound(101, "Fallback functions are not supported"),
    InstructionDidNotDeserialize(102, "The program could not deserialize the given instruction"),
    InstructionDidNotSerialize(103, "The program could not serialize the given instruction"),
    ConstraintMut(2000, "A mut constraint was violated"),
    ConstraintHasOne(2001, "A has one constraint was violated"),
    ConstraintSigner(2002, "A signer constraint was violated"),
    ConstraintRaw(2003, "A raw constraint was violated"),
    ConstraintOwner(2004, "An owner constraint was violated"),
    ConstraintRentExempt(2005, "A rent exemption constraint was violated"),
    ConstraintSeeds(2006, "A seeds constraint was violated"),
    ConstraintExecutable(2007, "An executable constraint was violated"),
    ConstraintState(2008, "A state constraint was violated"),
    ConstraintAssociated(2009, "An associated constraint was violated"),
    ConstraintAssociatedInit(2010, "An associated init constraint was violated"),
    ConstraintClose(2011, "A close constraint was violated"),
    ConstraintAddress(2012, "An address constraint was violated"),
    ConstraintZero(2013, "Expected zero account discriminant"),
    ConstraintTokenMint(2014, "A token mint constraint was violated"),
    ConstraintTokenOwner(2015, "A token owner constraint was violated"),
    ConstraintSpace(2019, "A space constraint was violated"),
    ConstraintAccountIsNone(2020, "A required account for the constraint is None"),
    RequireViolated(2500, "A require expression was violated"),
    RequireEqViolated(2501, "A require_eq expression was violated"),
    RequireKeysEqViolated(2502, "A require_keys_eq expression was violated"),
    AccountDiscriminatorAlreadySet(3000, "The account discriminator was already set on this account"),
    AccountDiscriminatorNotFound(3001, "No 8 byte discriminator was found on the account"),
    AccountDiscriminatorMismatch(3002, "8 byte discriminator did not match what was expected"),
    AccountDidNotDeserialize(3003, "Failed to deserialize the account"),
    AccountDidNotSerialize(3004, "Failed to serialize the account"),
    AccountNotEnoughKeys(3005, "Not enough account keys given to the instruction"),
    AccountNotMutable(3006, "The given account is not mutable"),
    AccountOwnedByWrongProgram(3007, "The given account is owned by a different program than expected"),
    InvalidProgramId(3008, "Program ID was not as expected"),
    InvalidProgramExecutable(3009, "Program account is not executable"),
    AccountNotSigner(3010, "The given account did not sign"),
    AccountNotSystemOwned(3011, "The given account is not owned by the system program"),
    AccountNotInitialized(3012, "The program expected this account to be already initialized"),
    AccountNotProgramData(3013, "The given account is not a program data account"),
    AccountNotAssociatedTokenAccount(3014, "The given account is not the associated token account"),
    AccountSysvarMismatch(3015, "The given public key does not match the required sysvar"),
    AccountReallocExceedsLimit(3016, "The account reallocation exceeds the MAX_PERMITTED_DATA_INCREASE limit"),
    AccountDuplicateReallocs(3017, "The account was duplicated for more than one reallocation"),
    DeclaredProgramIdMismatch(4100, "The declared program id does not match the actual program id"),
    Deprecated(5000, "The API being used is deprecated and should no longer be used");

    private final int code;
    private final String message;

    AnchorError(int code, String message) {
        this.code = code;
        this.message = message;
    }

    public int code() { return code; }

    public String message() { return message; }
}
