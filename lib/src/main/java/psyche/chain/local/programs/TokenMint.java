package psyche.chain.local.programs;

import psyche.coordinator.Pubkey;

/**
 * SPL Token's Mint account, 82 bytes: mint_authority COption (u32 tag + 32), supply u64 @36, decimals @44,
 * is_initialized @45, freeze_authority COption @46.
 */
public record TokenMint(Pubkey mintAuthority, long supply, int decimals, boolean isInitialized, Pubkey freezeAuthority) {
    public static final int LENGTH = 82;

    public static TokenMint decode(byte[] d) {
        if (d.length != LENGTH) throw new IllegalArgumentException("a mint is " + LENGTH + " bytes, got " + d.length);
        return new TokenMint(Le.u32(d, 0) == 1 ? Pubkey.of(d, 4) : null, Le.u64(d, 36), d[44] & 0xff, d[45] != 0,
                Le.u32(d, 46) == 1 ? Pubkey.of(d, 50) : null);
    }

    public byte[] encode() {
        byte[] d = new byte[LENGTH];
        if (mintAuthority != null) { Le.putU32(d, 0, 1); System.arraycopy(mintAuthority.bytes(), 0, d, 4, 32); }
        Le.putU64(d, 36, supply);
        d[44] = (byte) decimals;
        d[45] = (byte) (isInitialized ? 1 : 0);
        if (freezeAuthority != null) { Le.putU32(d, 46, 1); System.arraycopy(freezeAuthority.bytes(), 0, d, 50, 32); }
        return d;
    }

    public TokenMint withSupply(long newSupply) {
        return new TokenMint(mintAuthority, newSupply, decimals, isInitialized, freezeAuthority);
    }
}
