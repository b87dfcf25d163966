package psyche.chain.local;

import java.util.List;

import psyche.coordinator.Pubkey;

/**
 * A program the local chain executes: the SPI through which system, SPL token, associated-token-account and
 * Psyche's coordinator/authorizer/treasurer are plugged in. Implementations are stateless: everything they read or
 * change goes through {@code ctx} and the {@link AccountRef}s, so a failure rolls back cleanly.
 */
public interface Program {
    /** The program's address (the id instructions name). */
    Pubkey id();

    /**
     * Executes one instruction. {@code accounts} are in the instruction's order, with the privileges the
     * transaction (or the calling program) grants. Fail with {@link ProgramFailure}; any other exception fails the
     * instruction as {@code ProgramFailedToComplete}.
     */
    void execute(InvokeContext ctx, List<AccountRef> accounts, byte[] data);

    /**
     * True for the runtime's native programs (system), which log no compute units; BPF programs (token, ATA,
     * Psyche's) log {@code Program X consumed N of 200000 compute units}.
     */
    default boolean isNative() { return false; }

    /** A short name for logs and listings. */
    default String name() { return getClass().getSimpleName(); }
}
