package psyche.chain.local;

import psyche.coordinator.Pubkey;

/**
 * One account as an executing program sees it: its key, the privileges of this invocation, and its current state.
 * Mutations are checked as Solana's runtime checks them: only the owning program may change data or debit
 * lamports, only writable accounts change at all.
 */
public interface AccountRef {
    Pubkey key();
    boolean isSigner();
    boolean isWritable();
    boolean isExecutable();
    long lamports();
    Pubkey owner();
    /** A copy of the data. */
    byte[] data();
    int dataLength();
    /** Bytes {@code [offset, offset+length)} of the data (copy). */
    byte[] read(int offset, int length);

    /** Replaces the data (length may change: realloc); owner program and writable only. */
    void setData(byte[] data);
    /** Overwrites {@code bytes.length} bytes at {@code offset}; owner program and writable only. */
    void write(int offset, byte[] bytes);
    /** Sets the balance: decreasing needs the owner program, any change needs writable. */
    void setLamports(long lamports);
    /** Changes the owner: owner program, writable, not executable, data all zeros. */
    void setOwner(Pubkey newOwner);

    /** True when the account has lamports or data (Solana's "exists"). */
    default boolean exists() { return lamports() > 0 || dataLength() > 0; }
}
