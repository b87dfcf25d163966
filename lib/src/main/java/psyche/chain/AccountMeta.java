package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Objects;

/** One account an instruction touches, with whether it must sign and whether it may be written. */
public record AccountMeta(Pubkey pubkey, boolean signer, boolean writable) {
    public AccountMeta { Objects.requireNonNull(pubkey, "pubkey"); }

    public static AccountMeta signerWritable(Pubkey k) { return new AccountMeta(k, true, true); }
    public static AccountMeta signer(Pubkey k) { return new AccountMeta(k, true, false); }
    public static AccountMeta writable(Pubkey k) { return new AccountMeta(k, false, true); }
    public static AccountMeta readonly(Pubkey k) { return new AccountMeta(k, false, false); }

    /** Writable, signing when {@code signer} (how a program's cross-program invocation lists its accounts). */
    public static AccountMeta writable(Pubkey k, boolean signer) { return new AccountMeta(k, signer, true); }
    /** Read-only, signing when {@code signer}. */
    public static AccountMeta readonly(Pubkey k, boolean signer) { return new AccountMeta(k, signer, false); }

    /** "s", "w", "sw" or "-" (the flags the way {@code describe()} prints them). */
    public String flags() { return signer ? (writable ? "sw" : "s") : (writable ? "w" : "-"); }
}
