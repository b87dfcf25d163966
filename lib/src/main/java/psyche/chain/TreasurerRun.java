package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Objects;

/** The treasurer's run at PDA {@code ["Run", index u64 LE]}; its ATA holds the collateral paid out per point. */
public record TreasurerRun(int bump, long index, Pubkey mainAuthority, Pubkey joinAuthority,
                           Pubkey coordinatorAccount, Pubkey coordinatorInstance, Pubkey collateralMint,
                           long totalClaimedCollateralAmount, long totalClaimedEarnedPoints) {
    public static final byte[] DISCRIMINATOR = Borsh.unhex("c7369b56eb73f6bd");
    /**
     * The account's size as run_create allocates it: 8 + size_of::<Run>() = 8 + 192 (Rust layout: three u64, five
     * keys, the u8 bump, padded to 8), not the 185-byte Borsh length (solana-treasurer/src/state/run.rs:21-24).
     */
    public static final int SPACE = 8 + 192;

    public TreasurerRun {
        Objects.requireNonNull(mainAuthority, "mainAuthority");
        Objects.requireNonNull(joinAuthority, "joinAuthority");
        Objects.requireNonNull(coordinatorAccount, "coordinatorAccount");
        Objects.requireNonNull(coordinatorInstance, "coordinatorInstance");
        Objects.requireNonNull(collateralMint, "collateralMint");
    }

    public static TreasurerRun decode(byte[] data) {
        Borsh.Reader r = AnchorAccounts.open(data, DISCRIMINATOR, "treasurer Run");
        return AnchorAccounts.read("treasurer Run", () -> new TreasurerRun(r.u8("bump"), r.u64("index"),
                r.pubkey("main_authority"), r.pubkey("join_authority"), r.pubkey("coordinator_account"),
                r.pubkey("coordinator_instance"), r.pubkey("collateral_mint"),
                r.u64("total_claimed_collateral_amount"), r.u64("total_claimed_earned_points")));
    }

    /** The Borsh data zero-padded to {@link #SPACE}, as Anchor writes it into the account. */
    public byte[] encodeAccount() { return java.util.Arrays.copyOf(encode(), SPACE); }

    public byte[] encode() {
        return AnchorAccounts.withDiscriminator(DISCRIMINATOR, new Borsh.Writer().u8(bump).u64(index)
                .pubkey(mainAuthority).pubkey(joinAuthority).pubkey(coordinatorAccount).pubkey(coordinatorInstance)
                .pubkey(collateralMint).u64(totalClaimedCollateralAmount).u64(totalClaimedEarnedPoints));
    }
}
