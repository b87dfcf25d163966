package psyche.chain;

import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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

    /** Solana's find_program_address: the first bump from 255 down whose address is off the curve. */
    public static Pda find(Pubkey programId, byte[]... seeds) {
        if (seeds.length > 15) throw new IllegalArgumentException("at most 16 seeds (bump included), got " + seeds.length);
        byte[][] withBump = Arrays.copyOf(seeds, seeds.length + 1);
        for (int bump = 255; bump >= 0; bump--) {
            withBump[seeds.length] = new byte[]{(byte) bump};
            Pubkey address = createProgramAddressOrNull(programId, withBump);
            if (address != null) return new Pda(address, bump);
        }
        throw new IllegalStateException("no bump seed gives an off-curve address for these seeds");
    }

    public static Pda find(Pubkey programId, List<byte[]> seeds) { return find(programId, seeds.toArray(new byte[0][])); }

    /**
     * Solana's create_program_address: {@code sha256(seeds ‖ program_id ‖ "ProgramDerivedAddress")}, refused
     * (IllegalArgumentException) when it lands on the curve, as Solana's InvalidSeeds.
     */
    public static Pubkey createProgramAddress(Pubkey programId, List<byte[]> seeds) {
        Pubkey address = createProgramAddressOrNull(programId, seeds.toArray(new byte[0][]));
        if (address == null) throw new IllegalArgumentException("seeds give an address on the ed25519 curve");
        return address;
    }

    private static Pubkey createProgramAddressOrNull(Pubkey programId, byte[][] seeds) {
        if (seeds.length > 16) throw new IllegalArgumentException("at most 16 seeds, got " + seeds.length);
        for (byte[] s : seeds) {
            if (s.length > 32) throw new IllegalArgumentException("a PDA seed is at most 32 bytes, got " + s.length);
        }
        byte[][] parts = Arrays.copyOf(seeds, seeds.length + 2);
        parts[seeds.length] = programId.bytes();
        parts[seeds.length + 1] = MARKER;
        byte[] hash = Hashing.sha256(parts);
        return Ed25519.isOnCurve(hash) ? null : Pubkey.of(hash);
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
        byte[] h = Hashing.sha256(runId.getBytes(StandardCharsets.UTF_8));
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
