package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Objects;
import java.util.Optional;

/**
 * SPL token mint (82 bytes, packed): {@code mint_authority COption<Pubkey>} (u32 tag + 32), {@code supply u64},
 * {@code decimals u8}, {@code is_initialized bool}, {@code freeze_authority COption<Pubkey>}.
 */
public record TokenMint(Optional<Pubkey> mintAuthority, long supply, int decimals, boolean initialized,
                        Optional<Pubkey> freezeAuthority) {
    public static final int SIZE = 82;

    public TokenMint {
        Objects.requireNonNull(mintAuthority, "mintAuthority");
        Objects.requireNonNull(freezeAuthority, "freezeAuthority");
    }

    public static TokenMint decode(byte[] data) {
        if (data == null || data.length != SIZE) {
            throw new AccountDecodeException(AccountDecodeException.Reason.SIZE, "SPL mint has "
                    + (data == null ? "no data" : data.length + " bytes") + ", expected " + SIZE);
        }
        Borsh.Reader r = new Borsh.Reader(data, "SPL mint");
        return AnchorAccounts.read("SPL mint", () -> new TokenMint(COption.pubkey(r, "mint_authority"),
                r.u64("supply"), r.u8("decimals"), r.bool("is_initialized"), COption.pubkey(r, "freeze_authority")));
    }

    public byte[] encode() {
        Borsh.Writer w = new Borsh.Writer();
        COption.pubkey(w, mintAuthority);
        w.u64(supply).u8(decimals).bool(initialized);
        COption.pubkey(w, freezeAuthority);
        return w.toByteArray();
    }

    public TokenMint withSupply(long newSupply) {
        return new TokenMint(mintAuthority, newSupply, decimals, initialized, freezeAuthority);
    }

    /** Native units to UI units ({@code amount / 10^decimals}). */
    public double toUi(long amount) { return unsigned(amount) / Math.pow(10, decimals); }

    private static double unsigned(long v) { return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1); }

    /** SPL's {@code COption}: a u32 tag (0 none, 1 some) then the value, always present in the packed layout. */
    static final class COption {
        private COption() {}

        static Optional<Pubkey> pubkey(Borsh.Reader r, String field) {
            long tag = r.u32(field + " tag");
            Pubkey value = r.pubkey(field);
            if (tag > 1) throw new ChainDecodeException(field + " COption tag is " + tag + ", expected 0 or 1");
            return tag == 1 ? Optional.of(value) : Optional.empty();
        }

        static void pubkey(Borsh.Writer w, Optional<Pubkey> value) {
            w.u32(value.isPresent() ? 1 : 0);
            w.pubkey(value.orElse(Pubkey.SYSTEM));
        }

        static Optional<Long> u64(Borsh.Reader r, String field) {
            long tag = r.u32(field + " tag");
            long value = r.u64(field);
            if (tag > 1) throw new ChainDecodeException(field + " COption tag is " + tag + ", expected 0 or 1");
            return tag == 1 ? Optional.of(value) : Optional.empty();
        }

        static void u64(Borsh.Writer w, Optional<Long> value) {
            w.u32(value.isPresent() ? 1 : 0);
            w.u64(value.orElse(0L));
        }
    }
}
