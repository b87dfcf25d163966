package psyche.chain.local;

import java.util.Arrays;

import psyche.coordinator.Pubkey;

/** One account of the ledger at one moment: immutable (the data array is never handed out without a copy). */
public final class AccountState {
    public static final long DEFAULT_RENT_EPOCH = -1L; // u64::MAX: rent-exempt accounts, as Solana reports them

    private final long lamports;
    private final Pubkey owner;
    private final byte[] data;
    private final boolean executable;
    private final long rentEpoch;

    public AccountState(long lamports, Pubkey owner, byte[] data, boolean executable, long rentEpoch) {
        this.lamports = lamports;
        this.owner = owner;
        this.data = data.clone();
        this.executable = executable;
        this.rentEpoch = rentEpoch;
    }

    /** Wraps without copying: only for arrays nobody else holds. */
    static AccountState adopt(long lamports, Pubkey owner, byte[] data, boolean executable, long rentEpoch) {
        return new AccountState(lamports, owner, executable, rentEpoch, data);
    }

    private AccountState(long lamports, Pubkey owner, boolean executable, long rentEpoch, byte[] data) {
        this.lamports = lamports;
        this.owner = owner;
        this.data = data;
        this.executable = executable;
        this.rentEpoch = rentEpoch;
    }

    /** What a never-credited address looks like: no lamports, owned by the system program, no data. */
    public static AccountState empty() { return adopt(0, Pubkey.SYSTEM, new byte[0], false, DEFAULT_RENT_EPOCH); }

    public long lamports() { return lamports; }
    public Pubkey owner() { return owner; }
    public byte[] data() { return data.clone(); }
    public int dataLength() { return data.length; }
    public boolean executable() { return executable; }
    public long rentEpoch() { return rentEpoch; }
    /** Accounts with no lamports do not exist on Solana. */
    public boolean exists() { return lamports > 0; }

    /** The data without a copy, for read-only use inside this package. */
    byte[] dataUnsafe() { return data; }

    /** {@code length} bytes from {@code offset}, clipped to the data (RPC dataSlice semantics). */
    public byte[] slice(int offset, int length) {
        int from = Math.min(Math.max(offset, 0), data.length);
        int to = Math.min(from + Math.max(length, 0), data.length);
        return Arrays.copyOfRange(data, from, to);
    }

    @Override public String toString() {
        return "AccountState[lamports=" + lamports + ", owner=" + owner + ", data=" + data.length + " B"
                + (executable ? ", executable" : "") + "]";
    }
}
