package psyche.chain.local;

import java.util.List;

import psyche.chain.AccountMeta;
import psyche.coordinator.Pubkey;

/** What an executing program may ask the runtime: clock, logs, rent, and cross-program invocations. */
public interface InvokeContext {
    /** The program being executed. */
    Pubkey programId();

    /** The clock sysvar's slot. */
    long slot();

    /** The clock sysvar's unix_timestamp (seconds). */
    long unixTimestamp();

    /** Writes {@code Program log: message} to the transaction's logs. */
    void log(String message);

    /** Lamports an account of {@code dataLength} bytes needs to be rent exempt. */
    long minimumBalance(int dataLength);

    /** 1 for a transaction's instruction, 2 inside its first CPI, and so on (max 5). */
    int stackHeight();

    /** Counts compute units against the instruction (reported in logs and simulation). */
    void consumeComputeUnits(long units);

    /**
     * Cross-program invocation. Each meta must name an account of the transaction; it may be a signer only if it
     * signs here or is the PDA of one of {@code signerSeeds} (each a seed list incl. bump) under the calling program,
     * writable only if it is writable here. A failure propagates (and fails the whole transaction).
     */
    void invoke(Pubkey programId, List<AccountMeta> accounts, byte[] data, List<List<byte[]>> signerSeeds);

    default void invoke(Pubkey programId, List<AccountMeta> accounts, byte[] data) {
        invoke(programId, accounts, data, List.of());
    }
}
