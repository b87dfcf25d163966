package psyche.chain.local.programs;

import psyche.coordinator.Pubkey;

/**
 * SPL Token's token account, 165 bytes: mint @0, owner @32, amount u64 @64, delegate COption @72, state u8 @108
 * (0 uninitialized, 1 initialized, 2 frozen), is_native COption&lt;u64&gt; @109, delegated_amount @121,
 * close_authority COption @129.
 */
public record TokenAccount(Pubkey mint, Pubkey owner, long amount, Pubkey delegate, int state, Long isNative,
                           long delegatedAmount, Pubkey closeAuthority) {
    public static final int LENGTH = 165;
    public static final int STATE_UNINITIALIZED = 0;
    public static final int STATE_INITIALIZED = 1;
    public static final int STATE_FROZEN = 2;

    public static TokenAccount decode(byte[] d) {
        if (d.length != LENGTH) throw new IllegalArgumentException("a token account is " + LENGTH + " bytes, got " + d.length);
        return new TokenAccount(Pubkey.of(d, 0), Pubkey.of(d, 32), Le.u64(d, 64), Le.u32(d, 72) == 1 ? Pubkey.of(d, 76) : null,
                d[108] & 0xff, Le.u32(d, 109) == 1 ? Le.u64(d, 113) : null, Le.u64(d, 121),
                Le.u32(d, 129) == 1 ? Pubkey.of(d, 133) : null);
    }

    public static TokenAccount initialized(Pubkey mint, Pubkey owner) {
        return new TokenAccount(mint, owner, 0, null, STATE_INITIALIZED, null, 0, null);
    }

    public byte[] encode() {
        byte[] d = new byte[LENGTH];
        System.arraycopy(mint.bytes(), 0, d, 0, 32);
        System.arraycopy(owner.bytes(), 0, d, 32, 32);
        Le.putU64(d, 64, amount);
        if (delegate != null) { Le.putU32(d, 72, 1); System.arraycopy(delegate.bytes(), 0, d, 76, 32); }
        d[108] = (byte) state;
        if (isNative != null) { Le.putU32(d, 109, 1); Le.putU64(d, 113, isNative); }
        Le.putU64(d, 121, delegatedAmount);
        if (closeAuthority != null) { Le.putU32(d, 129, 1); System.arraycopy(closeAuthority.bytes(), 0, d, 133, 32); }
        return d;
    }

    public boolean isInitialized() { return state != STATE_UNINITIALIZED; }

    public TokenAccount withAmount(long newAmount) {
        return new TokenAccount(mint, owner, newAmount, delegate, state, isNative, delegatedAmount, closeAuthority);
    }
}
