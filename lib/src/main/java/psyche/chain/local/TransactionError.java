package psyche.chain.local;

import java.util.List;
import java.util.Map;

/**
 * Why a transaction failed, named as Solana's {@code TransactionError}; {@link #toJson()} is the RPC's {@code err}
 * value and {@link #message()} its display text.
 */
public record TransactionError(String name, String message, Integer instructionIndex, InstructionError instructionError,
                               Integer accountIndex) {
    public static final TransactionError ACCOUNT_NOT_FOUND = of("AccountNotFound", "Attempt to debit an account but found no record of a prior credit.");
    public static final TransactionError INSUFFICIENT_FUNDS_FOR_FEE = of("InsufficientFundsForFee", "Insufficient funds for fee");
    public static final TransactionError INVALID_ACCOUNT_FOR_FEE = of("InvalidAccountForFee", "This account may not be used to pay transaction fees");
    public static final TransactionError ALREADY_PROCESSED = of("AlreadyProcessed", "This transaction has already been processed");
    public static final TransactionError BLOCKHASH_NOT_FOUND = of("BlockhashNotFound", "Blockhash not found");
    public static final TransactionError SIGNATURE_FAILURE = of("SignatureFailure", "Transaction did not pass signature verification");
    public static final TransactionError INVALID_ACCOUNT_INDEX = of("InvalidAccountIndex", "Transaction contains an invalid account reference");
    public static final TransactionError PROGRAM_ACCOUNT_NOT_FOUND = of("ProgramAccountNotFound", "Attempt to load a program that does not exist");
    public static final TransactionError ACCOUNT_LOADED_TWICE = of("AccountLoadedTwice", "Account loaded twice");
    public static final TransactionError SANITIZE_FAILURE = of("SanitizeFailure", "Transaction failed to sanitize accounts offsets correctly");
    public static final TransactionError UNSUPPORTED_VERSION = of("UnsupportedVersion", "Transaction version is unsupported");

    private static TransactionError of(String name, String message) { return new TransactionError(name, message, null, null, null); }

    public static TransactionError instruction(int index, InstructionError error) {
        return new TransactionError("InstructionError", "Error processing Instruction " + index + ": " + error.message(),
                index, error, null);
    }

    public static TransactionError insufficientFundsForRent(int accountIndex) {
        return new TransactionError("InsufficientFundsForRent",
                "Transaction results in an account (" + accountIndex + ") with insufficient funds for rent", null, null, accountIndex);
    }

    /** The JSON value of Solana's RPC: a variant name, or a one-key object for variants with a payload. */
    public Object toJson() {
        if (instructionIndex != null) return Map.of("InstructionError", List.of(instructionIndex, instructionError.toJson()));
        if (accountIndex != null) return Map.of(name, Map.of("account_index", accountIndex));
        return name;
    }

    @Override public String toString() { return message; }
}
