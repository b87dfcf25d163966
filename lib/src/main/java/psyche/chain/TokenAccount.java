package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Objects;
import java.util.Optional;

/**
 * SPL token account (165 bytes, packed): mint, owner, amount u64, delegate COption, state u8
 * (0 uninitialized, 1 initialized, 2 frozen), is_native COption&lt;u64&gt;, delegated_amount u64,
 * close_authority COption.
 */
public record TokenAccount(Pubkey mint, Pubkey owner, long amount, Optional<Pubkey> delegate, int state,
                           Optional<Long> isNative, long delegatedAmount, Optional<Pubkey> closeAuthority) {
    public static final int SIZE = 165;
    public static final int STATE_UNINITIALIZED = 0;
    public static final int STATE_INITIALIZED = 1;
    public static final int STATE_FROZEN = 2;

    public TokenAccount {
        Objects.requireNonNull(mint, "mint");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(isNative, "isNative");
        Objects.requireNonNull(closeAuthority, "closeAuthority");
    }

    /** A plain initialized account holding {@code amount}. */
    public static TokenAccount of(Pubkey mint, Pubkey owner, long amount) {
        return new TokenAccount(mint, owner, amount, Optional.empty(), 1, Optional.empty(), 0, Optional.empty());
    }

    public static TokenAccount decode(byte[] data) {
        if (data == null || data.length != SIZE) {
            throw new AccountDecodeException(AccountDecodeException.Reason.SIZE, "SPL token account has "
                    + (data == null ? "no data" : data.length + " bytes") + ", expected " + SIZE);
        }
        Borsh.Reader r = new Borsh.Reader(data, "SPL token account");
        return AnchorAccounts.read("SPL token account", () -> {
            Pubkey mint = r.pubkey("mint");
            Pubkey owner = r.pubkey("owner");
            long amount = r.u64("amount");
            Optional<Pubkey> delegate = TokenMint.COption.pubkey(r, "delegate");
            int state = r.u8("state");
            if (state > 2) throw new ChainDecodeException("SPL token account state is " + state + ", expected 0..2");
            return new TokenAccount(mint, owner, amount, delegate, state, TokenMint.COption.u64(r, "is_native"),
                    r.u64("delegated_amount"), TokenMint.COption.pubkey(r, "close_authority"));
        });
    }

    /** Initialized or frozen (SPL's {@code is_initialized}: state is not Uninitialized). */
    public boolean isInitialized() { return state != STATE_UNINITIALIZED; }

    public TokenAccount withAmount(long newAmount) {
        return new TokenAccount(mint, owner, newAmount, delegate, state, isNative, delegatedAmount, closeAuthority);
    }

    public byte[] encode() {
        Borsh.Writer w = new Borsh.Writer().pubkey(mint).pubkey(owner).u64(amount);
        TokenMint.COption.pubkey(w, delegate);
        w.u8(state);
        TokenMint.COption.u64(w, isNative);
        w.u64(delegatedAmount);
        TokenMint.COption.pubkey(w, closeAuthority);
        return w.toByteArray();
    }
}
