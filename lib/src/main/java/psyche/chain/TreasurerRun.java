package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Objects;

/** The treasurer's run at PDA {@code ["Run", index u64 LE]}; its ATA holds the collateral paid out per point. */
public record TreasurerRun(int bump, long index, Pubkey mainAuthority, Pubkey joinAuthority,
                           Pubkey coordinatorAccount, Pubkey coordinatorInstance, Pubkey collateralMint,
                           long totalClaimedCollateralAmount, long totalClaimedEarnedPoints) {
    public static final byte[] DISCRIMINATOR = Borsh.unhex("c7369b56eb73f6bd");

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

    public byte[] encode() {
        return AnchorAccounts.withDiscriminator(DISCRIMINATOR, new Borsh.Writer().u8(bump).u64(index)
                .pubkey(mainAuthority).pubkey(joinAuthority).pubkey(coordinatorAccount).pubkey(coordinatorInstance)
                .pubkey(collateralMint).u64(totalClaimedCollateralAmount).u64(totalClaimedEarnedPoints));
    }
}
