package psyche.train.chain;

import org.junit.jupiter.api.Test;
import psyche.coordinator.BatchId;
import psyche.coordinator.Blooms;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;
import psyche.coordinator.Witness;
import psyche.coordinator.WitnessBloom;
import psyche.coordinator.WitnessProof;
import psyche.coordinator.BroadcastMerkle;
import psyche.train.distro.CompressedTensor;
import psyche.train.distro.DistroLayout;
import psyche.train.distro.DistroResult;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A round's consensus keeps only results whose trainer and commitment a witness quorum heard (the checks of served
 * results are in {@code ResultsExchange_BundleTest}).
 */
class ChainTraining_ConsensusTest {
    static final NodeIdentity A = id(1), B = id(2), C = id(3);
    static final BatchId BATCH_A = new BatchId(0, 3), BATCH_B = new BatchId(4, 7);

    static NodeIdentity id(int n) {
        byte[] signer = new byte[32], p2p = new byte[32];
        Arrays.fill(signer, (byte) n);
        Arrays.fill(p2p, (byte) (100 + n));
        return new NodeIdentity(Pubkey.of(signer), Pubkey.of(p2p));
    }

    /** A small result: 2 tiles of 8 coefficients, top-2, 1-bit values all of {@code sign}. */
    static DistroResult result(long step, BatchId batch, float sign) {
        CompressedTensor t = new CompressedTensor(new long[] {2, 8}, 8, 2, new int[] {0, 3, 1, 7},
                new float[] {sign, sign, -sign, sign}, true);
        return new DistroResult(step, 0, batch.start(), batch.end(), List.of(t));
    }

    static final DistroLayout LAYOUT = result(0, BATCH_A, 1f).layout();

    static ResultsExchange.HeardResult heard(DistroResult r) {
        return new ResultsExchange.HeardResult(r.encode(), r.commitment());
    }

    static Witness witness(long seed, List<NodeIdentity> participants, List<byte[]> commitments) {
        WitnessBloom p = Blooms.emptySeeded(seed), c = Blooms.emptySeeded(seed + 1);
        for (NodeIdentity n : participants) p = Blooms.add(p, Blooms.participantItem(n));
        for (byte[] x : commitments) c = Blooms.add(c, x);
        return new Witness(new WitnessProof(0, 0, true), p, c, BroadcastMerkle.root(commitments));
    }

    @Test void consensusNeedsAQuorumOfParticipantAndOfBroadcastBlooms() {
        DistroResult ra = result(5, BATCH_A, 1f), rb = result(5, BATCH_B, 1f), rbOther = result(5, BATCH_B, -1f);
        List<Witness> witnesses = List.of(
                witness(10, List.of(A, B), List.of(ra.commitment(), rb.commitment())),
                witness(20, List.of(A, B), List.of(ra.commitment(), rb.commitment())));

        Map<NodeIdentity, ResultsExchange.HeardResult> held = new LinkedHashMap<>();
        held.put(B, heard(rb));
        held.put(A, heard(ra));
        assertEquals(List.of(A, B), ChainRoundDriver.consensus(held, witnesses, 2), "both heard by both witnesses, signer order");

        // B served this session other bytes than the witnesses heard: its trainer is healthy, its bytes are not in
        // the consensus (before, the participant bloom alone let them in)
        held.put(B, heard(rbOther));
        assertEquals(2, psyche.coordinator.Coordinator.trainerHealthyScore(B, witnesses));
        assertEquals(List.of(A), ChainRoundDriver.consensus(held, witnesses, 2));

        // a commitment only one of two witnesses holds passes a quorum of 1, not of 2
        List<Witness> split = List.of(
                witness(30, List.of(A, B), List.of(ra.commitment(), rb.commitment())),
                witness(40, List.of(A, B), List.of(ra.commitment(), rbOther.commitment())));
        held.put(B, heard(rb));
        assertEquals(List.of(A), ChainRoundDriver.consensus(held, split, 2));
        assertEquals(List.of(A, B), ChainRoundDriver.consensus(held, split, 1));

        // a commitment in the blooms is not enough when the trainer is not in the participant blooms
        held.put(C, heard(result(5, new BatchId(8, 9), 1f)));
        List<Witness> noC = List.of(witness(50, List.of(A, B), List.of(ra.commitment(), rb.commitment(),
                held.get(C).commitment())));
        assertEquals(List.of(A, B), ChainRoundDriver.consensus(held, noC, 1));

        assertEquals(List.of(), ChainRoundDriver.consensus(held, List.of(), 1), "no witnesses, no consensus");
    }

    static psyche.config.LlmModel model(psyche.config.Checkpoint checkpoint, long coldStartWarmupSteps) {
        psyche.config.LlmModel z = psyche.config.LlmModel.zeroed();
        return new psyche.config.LlmModel(128, coldStartWarmupSteps, z.architecture(), checkpoint, z.dataType(),
                z.dataLocation(), z.lrSchedule(), z.optimizer());
    }

    @Test void trainersStillWarmingUpAreLeftOutOnlyOnAP2PCheckpoint() {
        var hub = new psyche.config.Checkpoint.Hub(new psyche.config.HubRepo("o/m", Optional.empty()));
        var p2p = new psyche.config.Checkpoint.P2P(new psyche.config.HubRepo("o/m", Optional.empty()));
        var p2pGcs = new psyche.config.Checkpoint.P2PGcs(new psyche.config.GcsRepo("bucket", Optional.empty()));
        assertTrue(ChainRoundDriver.trainerWarmingUp(0, model(p2p, 2)));
        assertTrue(ChainRoundDriver.trainerWarmingUp(1, model(p2p, 2)));
        assertFalse(ChainRoundDriver.trainerWarmingUp(2, model(p2p, 2)), "its third result counts");
        assertTrue(ChainRoundDriver.trainerWarmingUp(1, model(p2pGcs, 2)));
        assertFalse(ChainRoundDriver.trainerWarmingUp(0, model(hub, 2)), "Hub: every trainer is equally new");
        assertFalse(ChainRoundDriver.trainerWarmingUp(0, model(p2p, 0)), "no cold_start_warmup_steps, no warm-up");
    }
}
