package psyche.chain.rpc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names of programs' custom error codes, by program id, so a failure reads "InsufficientFunds" rather than 0x1.
 * Anchor's framework codes (100–5999) apply to every program; programs register their own (Psyche's 6000+ codes).
 */
public final class ProgramErrors {
    private static final Map<String, Map<Long, String>> BY_PROGRAM = new ConcurrentHashMap<>();
    private static final Map<Long, String> ANCHOR = Map.ofEntries(
            Map.entry(100L, "InstructionMissing"), Map.entry(101L, "InstructionFallbackNotFound"),
            Map.entry(102L, "InstructionDidNotDeserialize"), Map.entry(103L, "InstructionDidNotSerialize"),
            Map.entry(2000L, "ConstraintMut"), Map.entry(2001L, "ConstraintHasOne"), Map.entry(2002L, "ConstraintSigner"),
            Map.entry(2003L, "ConstraintRaw"), Map.entry(2004L, "ConstraintOwner"), Map.entry(2005L, "ConstraintRentExempt"),
            Map.entry(2006L, "ConstraintSeeds"), Map.entry(2007L, "ConstraintExecutable"), Map.entry(2008L, "ConstraintState"),
            Map.entry(2009L, "ConstraintAssociated"), Map.entry(2010L, "ConstraintAssociatedInit"),
            Map.entry(2011L, "ConstraintClose"), Map.entry(2012L, "ConstraintAddress"), Map.entry(2013L, "ConstraintZero"),
            Map.entry(2014L, "ConstraintTokenMint"), Map.entry(2015L, "ConstraintTokenOwner"),
            Map.entry(2019L, "ConstraintSpace"), Map.entry(2020L, "ConstraintAccountIsNone"),
            Map.entry(2500L, "RequireViolated"), Map.entry(2501L, "RequireEqViolated"), Map.entry(2502L, "RequireKeysEqViolated"),
            Map.entry(3000L, "AccountDiscriminatorAlreadySet"), Map.entry(3001L, "AccountDiscriminatorNotFound"),
            Map.entry(3002L, "AccountDiscriminatorMismatch"), Map.entry(3003L, "AccountDidNotDeserialize"),
            Map.entry(3004L, "AccountDidNotSerialize"), Map.entry(3005L, "AccountNotEnoughKeys"),
            Map.entry(3006L, "AccountNotMutable"), Map.entry(3007L, "AccountOwnedByWrongProgram"),
            Map.entry(3008L, "InvalidProgramId"), Map.entry(3009L, "InvalidProgramExecutable"),
            Map.entry(3010L, "AccountNotSigner"), Map.entry(3011L, "AccountNotSystemOwned"),
            Map.entry(3012L, "AccountNotInitialized"), Map.entry(3013L, "AccountNotProgramData"),
            Map.entry(3014L, "AccountNotAssociatedTokenAccount"), Map.entry(3015L, "AccountSysvarMismatch"),
            Map.entry(3016L, "AccountReallocExceedsLimit"), Map.entry(3017L, "AccountDuplicateReallocs"),
            Map.entry(4100L, "DeclaredProgramIdMismatch"), Map.entry(5000L, "Deprecated"));

    static {
        register("11111111111111111111111111111111", Map.of(0L, "AccountAlreadyInUse", 1L, "ResultWithNegativeLamports",
                2L, "InvalidProgramId", 3L, "InvalidAccountDataLength", 4L, "MaxSeedLengthExceeded",
                5L, "AddressWithSeedMismatch"));
        String[] token = {"NotRentExempt", "InsufficientFunds", "InvalidMint", "MintMismatch", "OwnerMismatch",
                "FixedSupply", "AlreadyInUse", "InvalidNumberOfProvidedSigners", "InvalidNumberOfRequiredSigners",
                "UninitializedState", "NativeNotSupported", "NonNativeHasBalance", "InvalidInstruction", "InvalidState",
                "Overflow", "AuthorityTypeNotSupported", "MintCannotFreeze", "AccountFrozen", "MintDecimalsMismatch",
                "NonNativeNotSupported"};
        Map<Long, String> tokenNames = new java.util.HashMap<>();
        for (int i = 0; i < token.length; i++) tokenNames.put((long) i, token[i]);
        register("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", tokenNames);
        register("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL", Map.of(0L, "InvalidOwner"));
    }

    private ProgramErrors() {}

    /** Adds (or replaces) the names of {@code programId}'s custom error codes. */
    public static void register(String programId, Map<Long, String> names) {
        BY_PROGRAM.merge(programId, Map.copyOf(names), (a, b) -> {
            Map<Long, String> all = new java.util.HashMap<>(a);
            all.putAll(b);
            return Map.copyOf(all);
        });
    }

    /** The name of {@code code} for {@code programId}: its own names first, then Anchor's; null when unknown. */
    public static String name(String programId, long code) {
        Map<Long, String> own = BY_PROGRAM.get(programId);
        if (own != null && own.containsKey(code)) return own.get(code);
        return code < 6000 ? ANCHOR.get(code) : null;
    }
}
