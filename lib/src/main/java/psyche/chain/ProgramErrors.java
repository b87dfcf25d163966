package psyche.chain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import psyche.coordinator.ProgramError;

/**
 * The one catalog of program errors: Psyche's coordinator, authorizer and treasurer, Anchor's framework errors, and
 * the system, SPL token and associated token programs' own codes, so a failure reads "UpdateConfigNotHalted" (with
 * its hint) rather than 6001. Built from the error enums when this class loads; nothing registers into it, and a
 * program with other ids is recognised through {@link ProgramIds} or its own {@code AnchorError} log line.
 */
public final class ProgramErrors {
    private ProgramErrors() {}

    /** Which program's numbering a code belongs to. */
    public enum Source { SYSTEM, TOKEN, ASSOCIATED_TOKEN, COORDINATOR, AUTHORIZER, TREASURER, ANCHOR }

    /** One error: its program, number, name, message, and what to do about it (null where the program says nothing). */
    public record Entry(Source source, long code, String name, String message, String hint) {}

    private static final Map<Source, Map<Long, Entry>> CATALOG = build();

    private static Map<Source, Map<Long, Entry>> build() {
        Map<Source, Map<Long, Entry>> all = new LinkedHashMap<>();
        for (ProgramError e : ProgramError.values()) put(all, Source.COORDINATOR, e.code(), e.name(), e.message(), e.hint());
        for (AuthorizerError e : AuthorizerError.values()) put(all, Source.AUTHORIZER, e.code(), e.name(), e.message(), null);
        for (TreasurerError e : TreasurerError.values()) put(all, Source.TREASURER, e.code(), e.name(), e.message(), null);
        for (AnchorError e : AnchorError.values()) put(all, Source.ANCHOR, e.code(), e.name(), e.message(), null);
        // solana_program::system_instruction::SystemError, in declaration order
        String[] system = {"AccountAlreadyInUse", "ResultWithNegativeLamports", "InvalidProgramId", "InvalidAccountDataLength",
                "MaxSeedLengthExceeded", "AddressWithSeedMismatch"};
        for (int i = 0; i < system.length; i++) put(all, Source.SYSTEM, i, system[i], null, null);
        // spl_token::error::TokenError, in declaration order
        String[] token = {"NotRentExempt", "InsufficientFunds", "InvalidMint", "MintMismatch", "OwnerMismatch",
                "FixedSupply", "AlreadyInUse", "InvalidNumberOfProvidedSigners", "InvalidNumberOfRequiredSigners",
                "UninitializedState", "NativeNotSupported", "NonNativeHasBalance", "InvalidInstruction", "InvalidState",
                "Overflow", "AuthorityTypeNotSupported", "MintCannotFreeze", "AccountFrozen", "MintDecimalsMismatch",
                "NonNativeNotSupported"};
        for (int i = 0; i < token.length; i++) put(all, Source.TOKEN, i, token[i], null, null);
        put(all, Source.ASSOCIATED_TOKEN, 0, "InvalidOwner", null, null);
        Map<Source, Map<Long, Entry>> frozen = new LinkedHashMap<>();
        all.forEach((source, entries) -> frozen.put(source, Collections.unmodifiableMap(entries)));
        return Collections.unmodifiableMap(frozen);
    }

    private static void put(Map<Source, Map<Long, Entry>> all, Source source, long code, String name, String message, String hint) {
        Entry previous = all.computeIfAbsent(source, s -> new LinkedHashMap<>()).put(code, new Entry(source, code, name, message, hint));
        if (previous != null) throw new IllegalStateException(source + " error " + code + " listed twice: " + previous.name() + ", " + name);
    }

    /** Every error in the catalog, program by program, in code order within each. */
    public static List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        CATALOG.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** The error {@code code} in {@code source}'s numbering. */
    public static Optional<Entry> lookup(Source source, long code) {
        return Optional.ofNullable(CATALOG.getOrDefault(source, Map.of()).get(code));
    }

    /** Which program {@code programId} is under {@code ids}; empty for a program this catalog does not know. */
    public static Optional<Source> sourceOf(ProgramIds ids, String programId) {
        if (programId == null) return Optional.empty();
        if (programId.equals(ids.coordinator().toBase58())) return Optional.of(Source.COORDINATOR);
        if (programId.equals(ids.authorizer().toBase58())) return Optional.of(Source.AUTHORIZER);
        if (programId.equals(ids.treasurer().toBase58())) return Optional.of(Source.TREASURER);
        if (programId.equals(ids.system().toBase58())) return Optional.of(Source.SYSTEM);
        if (programId.equals(ids.token().toBase58())) return Optional.of(Source.TOKEN);
        if (programId.equals(ids.associatedToken().toBase58())) return Optional.of(Source.ASSOCIATED_TOKEN);
        return Optional.empty();
    }

    /**
     * The custom error {@code code} raised by {@code programId} (at the addresses {@code ids} names): the program's
     * own error, else, below 6000 in a program that is not a native one, Anchor's framework error.
     */
    public static Optional<Entry> lookup(ProgramIds ids, String programId, long code) {
        Optional<Source> source = sourceOf(ids, programId);
        Optional<Entry> own = source.flatMap(s -> lookup(s, code));
        if (own.isPresent()) return own;
        boolean nativeProgram = source.isPresent() && (source.get() == Source.SYSTEM || source.get() == Source.TOKEN
                || source.get() == Source.ASSOCIATED_TOKEN);
        return code < 6000 && !nativeProgram ? lookup(Source.ANCHOR, code) : Optional.empty();
    }

    private static final Pattern ANCHOR_LOG = Pattern.compile("AnchorError .*?Error Code: (\\w+)\\. Error Number: (\\d+)\\.");

    /**
     * The name of custom error {@code code} of {@code programId} as a failed transaction reports it: from the catalog
     * at Psyche's and Solana's mainnet addresses, else from the program's own {@code AnchorError ... Error Code: X.
     * Error Number: N.} log line (any Anchor program, at any address); null when neither knows it.
     */
    public static String name(String programId, long code, List<String> logs) {
        Optional<Entry> known = lookup(ProgramIds.MAINNET, programId, code);
        if (known.isPresent() && sourceOf(ProgramIds.MAINNET, programId).isPresent()) return known.get().name();
        for (String line : logs) {
            Matcher m = ANCHOR_LOG.matcher(line);
            if (m.find() && Long.parseLong(m.group(2)) == code) return m.group(1);
        }
        return known.map(Entry::name).orElse(null);
    }
}
