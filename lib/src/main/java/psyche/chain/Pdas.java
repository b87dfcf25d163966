package psyche.chain;

import psyche.coordinator.Pubkey;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Program-derived addresses: {@code sha256(seeds ‖ [bump] ‖ program_id ‖ "ProgramDerivedAddress")} for bump 255
 * down to 0, the first result that is not an ed25519 point.
 */
public final class Pdas {
    private final ProgramIds ids;

    public Pdas(ProgramIds ids) { this.ids = Objects.requireNonNull(ids, "ids"); }

    public static Pdas mainnet() { return new Pdas(ProgramIds.MAINNET); }

    public ProgramIds ids() { return ids; }

    /** An address and the bump seed that found it. */
    public record Pda(Pubkey address, int bump) {}

    private static final byte[] MARKER = "ProgramDerivedAddress".getBytes(StandardCharsets.US_ASCII);

    public static Pda find(Pubkey programId, byte[]... seeds) {
        if (seeds.length > 15) throw new IllegalArgumentException("at most 16 seeds (bump included), got " + seeds.length);
        for (byte[] s : seeds) {
            if (s.length > 32) throw new IllegalArgumentException("a PDA seed is at most 32 bytes, got " + s.length);
        }
        for (int bump = 255; bump >= 0; bump--) {
            byte[][] parts = Arrays.copyOf(seeds, seeds.length + 3);
            parts[seeds.length] = new byte[]{(byte) bump};
            parts[seeds.length + 1] = programId.bytes();
            parts[seeds.length + 2] = MARKER;
            byte[] hash = Discriminators.sha256(parts);
            if (!Ed25519Curve.isOnCurve(hash)) return new Pda(Pubkey.of(hash), bump);
        }
        throw new IllegalStateException("no bump seed gives an off-curve address for these seeds");
    }

    /** {@code run_id} as the coordinator seeds it: its UTF-8 bytes (the program caps them at 64; PDAs at 32). */
    static byte[] runIdSeed(String runId) {
        byte[] b = runId.getBytes(StandardCharsets.UTF_8);
        if (b.length > 32) throw new IllegalArgumentException("run_id '" + runId + "' is " + b.length
                + " bytes; run ids are at most 32 bytes");
        return b;
    }

    /** CoordinatorInstance PDA {@code ["coordinator", run_id]}. */
    public Pda coordinatorInstance(String runId) {
        return find(ids.coordinator(), "coordinator".getBytes(StandardCharsets.US_ASCII), runIdSeed(runId));
    }

    /** Authorization PDA {@code ["Authorization", grantor, grantee, scope]}. */
    public Pda authorization(Pubkey grantor, Pubkey grantee, byte[] scope) {
        return find(ids.authorizer(), "Authorization".getBytes(StandardCharsets.US_ASCII), grantor.bytes(),
                grantee.bytes(), scope);
    }

    /** The authorization a client needs to join a run ({@code scope = "CoordinatorJoinRun"}). */
    public Pda joinAuthorization(Pubkey joinAuthority, Pubkey grantee) {
        return authorization(joinAuthority, grantee, Scopes.COORDINATOR_JOIN_RUN);
    }

    /** Treasurer Run PDA {@code ["Run", index u64 LE]}. */
    public Pda treasurerRun(long index) {
        byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(index).array();
        return find(ids.treasurer(), "Run".getBytes(StandardCharsets.US_ASCII), le);
    }

    /** The treasurer index run-manager uses by default: u64 LE of {@code sha256(run_id)[0..8]}. */
    public static long defaultTreasurerIndex(String runId) {
        byte[] h = Discriminators.sha256(runId.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(h, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Participant PDA {@code ["Participant", run, user]}. */
    public Pda participant(Pubkey run, Pubkey user) {
        return find(ids.treasurer(), "Participant".getBytes(StandardCharsets.US_ASCII), run.bytes(), user.bytes());
    }

    /** Associated token account {@code [wallet, token_program, mint]} under the ATA program. */
    public Pda associatedTokenAccount(Pubkey wallet, Pubkey mint) {
        return find(ids.associatedToken(), wallet.bytes(), ids.token().bytes(), mint.bytes());
    }

    /** Seeds and scopes the authorizer uses. */
    public static final class Scopes {
        private Scopes() {}
        public static final byte[] COORDINATOR_JOIN_RUN = "CoordinatorJoinRun".getBytes(StandardCharsets.US_ASCII);
    }
}
