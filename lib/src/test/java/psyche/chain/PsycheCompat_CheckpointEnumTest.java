package psyche.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import psyche.config.Checkpoint;
import psyche.config.GcsRepo;
import psyche.config.HubRepo;

/**
 * Point 1: {@code checkpoint(repo: model::Checkpoint)} carries the whole enum
 * (architectures/decentralized/solana-coordinator/programs/solana-coordinator/src/lib.rs:314-321,
 * solana-common/src/instructions.rs:205-220, run-manager/src/commands/run/checkpoint.rs:45-50). Golden bytes are
 * spelled from the Rust definitions (shared/coordinator/src/model.rs:228-231 HubRepo, 254-257 GcsRepo, 281-288
 * Checkpoint variant order Ephemeral, Dummy, Hub, P2P, Gcs, P2PGcs): Borsh enum = u8 index, FixedString<64> = 64
 * raw bytes, Option = u8 tag + value; discriminator sha256("global:checkpoint")[0..8] = d5c813ccf08fb8fc.
 */
class PsycheCompat_CheckpointEnumTest {
    static final String DISC = "d5c813ccf08fb8fc";
    static String fixed(String s) { return Instructions_GoldenTest.fixed(s, 64); }

    static List<Object[]> cases() {
        HubRepo hub = new HubRepo("org/m", Optional.of("abc"));
        GcsRepo gcs = new GcsRepo("bkt", Optional.of("pre"));
        return List.of(
                new Object[] {new Checkpoint.Ephemeral(), "00"},
                new Object[] {new Checkpoint.Dummy(hub), "01" + fixed("org/m") + "01" + fixed("abc")},
                new Object[] {new Checkpoint.Hub(HubRepo.of("org/m")), "02" + fixed("org/m") + "00"},
                new Object[] {new Checkpoint.P2P(hub), "03" + fixed("org/m") + "01" + fixed("abc")},
                new Object[] {new Checkpoint.Gcs(gcs), "04" + fixed("bkt") + "01" + fixed("pre")},
                new Object[] {new Checkpoint.P2PGcs(GcsRepo.of("bkt")), "05" + fixed("bkt") + "00"});
    }

    @Test void everyVariantEncodesAsTheRustEnumAndDecodesBack() {
        for (Object[] c : cases()) {
            Checkpoint cp = (Checkpoint) c[0];
            byte[] data = new CoordinatorInstructions.CheckpointIx(cp).data();
            assertEquals(DISC + c[1], Borsh.hex(data), cp::toString);
            assertEquals(new CoordinatorInstructions.CheckpointIx(cp), CoordinatorInstructions.decode(Borsh.unhex(DISC + c[1])));
        }
    }

    @Test void runManagersCheckpointIsTheHubVariant() {
        // run-manager builds Checkpoint::Hub(HubRepo{repo_id, revision}) (checkpoint.rs:32-37, 45-50)
        Instruction ix = CoordinatorInstructions.mainnet().checkpoint(Instructions_GoldenTest.K1, Instructions_GoldenTest.K2,
                Instructions_GoldenTest.K3, new HubRepo("org/m", Optional.of("abc")));
        assertEquals(DISC + "02" + fixed("org/m") + "01" + fixed("abc"), Borsh.hex(ix.data()));
    }
}
