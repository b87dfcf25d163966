package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Objects;

/**
 * The coordinator's Borsh account at PDA {@code ["coordinator", run_id]}: who owns the run, who authorizes joins,
 * and where its zero-copy {@link CoordinatorAccount} lives. Allocated with {@code 8 + 165} bytes.
 */
public record CoordinatorInstance(int bump, Pubkey mainAuthority, Pubkey joinAuthority, Pubkey coordinatorAccount,
                                  String runId) {
    public static final byte[] DISCRIMINATOR = Borsh.unhex("9c099910af181ffc");
    public static final int SPACE = 8 + 165;

    public CoordinatorInstance {
        Objects.requireNonNull(mainAuthority, "mainAuthority");
        Objects.requireNonNull(joinAuthority, "joinAuthority");
        Objects.requireNonNull(coordinatorAccount, "coordinatorAccount");
        Objects.requireNonNull(runId, "runId");
    }

    /** Decodes account data; trailing bytes (allocated space beyond the content) are ignored, as Anchor does. */
    public static CoordinatorInstance decode(byte[] data) {
        Borsh.Reader r = AnchorAccounts.open(data, DISCRIMINATOR, "CoordinatorInstance");
        return AnchorAccounts.read("CoordinatorInstance", () -> new CoordinatorInstance(r.u8("bump"),
                r.pubkey("main_authority"), r.pubkey("join_authority"), r.pubkey("coordinator_account"),
                r.string("run_id")));
    }

    /** Discriminator + Borsh content, without padding to {@link #SPACE}. */
    public byte[] encode() {
        return AnchorAccounts.withDiscriminator(DISCRIMINATOR, new Borsh.Writer().u8(bump).pubkey(mainAuthority)
                .pubkey(joinAuthority).pubkey(coordinatorAccount).string(runId));
    }
}
