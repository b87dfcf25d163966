package psyche.chain;

/** The treasurer's per-user claim record at PDA {@code ["Participant", run, user]}. */
public record Participant(int bump, long claimedCollateralAmount, long claimedEarnedPoints) {
    public static final byte[] DISCRIMINATOR = Borsh.unhex("208e6c4ff7b33606");
    /** 8 + size_of::<Participant>() = 8 + 24 (u8 + two u64, padded), not the 17-byte Borsh length (state/participant.rs:16-19). */
    public static final int SPACE = 8 + 24;

    /** The Borsh data zero-padded to {@link #SPACE}, as Anchor writes it into the account. */
    public byte[] encodeAccount() { return java.util.Arrays.copyOf(encode(), SPACE); }

    public static Participant decode(byte[] data) {
        Borsh.Reader r = AnchorAccounts.open(data, DISCRIMINATOR, "Participant");
        return AnchorAccounts.read("Participant", () -> new Participant(r.u8("bump"),
                r.u64("claimed_collateral_amount"), r.u64("claimed_earned_points")));
    }

    public byte[] encode() {
        return AnchorAccounts.withDiscriminator(DISCRIMINATOR, new Borsh.Writer().u8(bump)
                .u64(claimedCollateralAmount).u64(claimedEarnedPoints));
    }
}
