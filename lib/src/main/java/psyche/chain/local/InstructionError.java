package psyche.chain.local;

import java.util.Map;

/**
 * Why one instruction failed, named as Solana's {@code InstructionError} (its JSON form is the variant name, or
 * {@code {"Custom": n}} for a program's own error code).
 */
public record InstructionError(String name, Long customCode, String message) {
    public static final InstructionError GENERIC = of("GenericError", "generic instruction error");
    public static final InstructionError INVALID_ARGUMENT = of("InvalidArgument", "invalid program argument");
    public static final InstructionError INVALID_INSTRUCTION_DATA = of("InvalidInstructionData", "invalid instruction data");
    public static final InstructionError INVALID_ACCOUNT_DATA = of("InvalidAccountData", "invalid account data for instruction");
    public static final InstructionError ACCOUNT_DATA_TOO_SMALL = of("AccountDataTooSmall", "account data too small for instruction");
    public static final InstructionError INSUFFICIENT_FUNDS = of("InsufficientFunds", "insufficient funds for instruction");
    public static final InstructionError INCORRECT_PROGRAM_ID = of("IncorrectProgramId", "incorrect program id for instruction");
    public static final InstructionError MISSING_REQUIRED_SIGNATURE = of("MissingRequiredSignature", "missing required signature for instruction");
    public static final InstructionError ACCOUNT_ALREADY_INITIALIZED = of("AccountAlreadyInitialized", "instruction requires an uninitialized account");
    public static final InstructionError UNINITIALIZED_ACCOUNT = of("UninitializedAccount", "instruction requires an initialized account");
    public static final InstructionError UNBALANCED_INSTRUCTION = of("UnbalancedInstruction", "sum of account balances before and after instruction do not match");
    public static final InstructionError MODIFIED_PROGRAM_ID = of("ModifiedProgramId", "instruction illegally modified the program id of an account");
    public static final InstructionError EXTERNAL_ACCOUNT_LAMPORT_SPEND = of("ExternalAccountLamportSpend", "instruction spent from the balance of an account it does not own");
    public static final InstructionError EXTERNAL_ACCOUNT_DATA_MODIFIED = of("ExternalAccountDataModified", "instruction modified data of an account it does not own");
    public static final InstructionError READONLY_LAMPORT_CHANGE = of("ReadonlyLamportChange", "instruction changed the balance of a read-only account");
    public static final InstructionError READONLY_DATA_MODIFIED = of("ReadonlyDataModified", "instruction modified data of a read-only account");
    public static final InstructionError EXECUTABLE_DATA_MODIFIED = of("ExecutableDataModified", "instruction changed executable accounts data");
    public static final InstructionError NOT_ENOUGH_ACCOUNT_KEYS = of("NotEnoughAccountKeys", "insufficient account keys for instruction");
    public static final InstructionError INVALID_SEEDS = of("InvalidSeeds", "Provided seeds do not result in a valid address");
    public static final InstructionError PRIVILEGE_ESCALATION = of("PrivilegeEscalation", "Cross-program invocation with unauthorized signer or writable account");
    public static final InstructionError UNSUPPORTED_PROGRAM_ID = of("UnsupportedProgramId", "Unsupported program id");
    public static final InstructionError INVALID_ACCOUNT_OWNER = of("InvalidAccountOwner", "Invalid account owner");
    public static final InstructionError ILLEGAL_OWNER = of("IllegalOwner", "Provided owner is not allowed");
    public static final InstructionError INVALID_REALLOC = of("InvalidRealloc", "Failed to reallocate account data");
    public static final InstructionError ARITHMETIC_OVERFLOW = of("ArithmeticOverflow", "Program arithmetic overflowed");
    public static final InstructionError PROGRAM_FAILED_TO_COMPLETE = of("ProgramFailedToComplete", "Program failed to complete");
    public static final InstructionError CALL_DEPTH = of("CallDepth", "Cross-program invocation call depth too deep");

    private static InstructionError of(String name, String message) { return new InstructionError(name, null, message); }

    /** A program's own error code, shown as Solana does: {@code custom program error: 0x1770}. */
    public static InstructionError custom(long code) {
        return new InstructionError("Custom", code, "custom program error: 0x" + Long.toHexString(code));
    }

    public boolean isCustom() { return customCode != null; }

    /** The JSON value Solana's RPC uses for this error. */
    public Object toJson() { return isCustom() ? Map.of("Custom", customCode) : name; }
}
