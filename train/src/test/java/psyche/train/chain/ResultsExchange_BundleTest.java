package psyche.train.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

import psyche.chain.Keypair;
import psyche.coordinator.BatchId;
import psyche.coordinator.NodeIdentity;
import psyche.train.distro.DistroResult;

/**
 * The bundle a session serves and the checks a fetcher makes before a result may be applied: the trainer's ed25519
 * signature (p2p key) over the commitment, the step and batch, and the bytes hashing to the commitment.
 */
class ResultsExchange_BundleTest {
    static final Keypair KEY_A = Keypair.generate(), KEY_B = Keypair.generate(), STRANGER = Keypair.generate();
    static final NodeIdentity A = new NodeIdentity(ChainTraining_ConsensusTest.A.signer(), KEY_A.publicKey());
    static final NodeIdentity B = new NodeIdentity(ChainTraining_ConsensusTest.B.signer(), KEY_B.publicKey());
    static final BatchId BATCH_A = ChainTraining_ConsensusTest.BATCH_A, BATCH_B = ChainTraining_ConsensusTest.BATCH_B;
    static final BiFunction<NodeIdentity, byte[], byte[]> SIGN = (id, c) -> (id.equals(A) ? KEY_A : KEY_B).sign(c);

    static DistroResult result(long step, BatchId batch, float sign) { return ChainTraining_ConsensusTest.result(step, batch, sign); }

    static ResultsExchange.HeardResult heard(DistroResult r) { return ChainTraining_ConsensusTest.heard(r); }

    @Test void aBundleCarriesEachSignedResultAndVerifies() {
        DistroResult ra = result(5, BATCH_A, 1f), rb = result(5, BATCH_B, -1f);
        Map<NodeIdentity, ResultsExchange.HeardResult> results = new LinkedHashMap<>();
        results.put(A, heard(ra));
        results.put(B, heard(rb));
        List<ResultsExchange.ServedResult> served = ResultsExchange.parseBundle(
                ResultsExchange.bundle(ChainTraining_ConsensusTest.LAYOUT, results, ResultsExchange.HONEST, SIGN));
        assertEquals(2, served.size());
        assertArrayEquals(A.signer().bytes(), served.get(0).signer());
        assertArrayEquals(ra.commitment(), served.get(0).commitment());
        assertArrayEquals(ra.encode(), served.get(0).wire());
        assertTrue(Keypair.verify(KEY_A.publicKey(), ra.commitment(), served.get(0).signature()));
        Optional<ResultsExchange.HeardResult> ok = ResultsExchange.verified(ChainTraining_ConsensusTest.LAYOUT, served.get(1), 5, BATCH_B, B);
        assertTrue(ok.isPresent());
        assertArrayEquals(rb.commitment(), ok.get().commitment());
        // the same entry for another step or another batch is not this round's result
        assertTrue(ResultsExchange.rejection(ChainTraining_ConsensusTest.LAYOUT, served.get(1), 6, BATCH_B, B).get().contains("step 6"));
        assertFalse(ResultsExchange.verified(ChainTraining_ConsensusTest.LAYOUT, served.get(1), 5, BATCH_A, B).isPresent());
    }

    @Test void aCommitmentSignedByAnyoneButItsTrainerIsRejected() {
        DistroResult ra = result(5, BATCH_A, 1f);
        byte[] wire = ra.encode();
        var byStranger = new ResultsExchange.ServedResult(A.signer().bytes(), ra.commitment(), STRANGER.sign(ra.commitment()), wire);
        assertTrue(ResultsExchange.rejection(ChainTraining_ConsensusTest.LAYOUT, byStranger, 5, BATCH_A, A).get().contains("signature"));
        var byOtherTrainer = new ResultsExchange.ServedResult(A.signer().bytes(), ra.commitment(), KEY_B.sign(ra.commitment()), wire);
        assertFalse(ResultsExchange.verified(ChainTraining_ConsensusTest.LAYOUT, byOtherTrainer, 5, BATCH_A, A).isPresent());
        byte[] otherCommitment = result(5, BATCH_A, -1f).commitment();
        var signedOther = new ResultsExchange.ServedResult(A.signer().bytes(), ra.commitment(), KEY_A.sign(otherCommitment), wire);
        assertFalse(ResultsExchange.verified(ChainTraining_ConsensusTest.LAYOUT, signedOther, 5, BATCH_A, A).isPresent());
        var unsigned = new ResultsExchange.ServedResult(A.signer().bytes(), ra.commitment(), new byte[64], wire);
        assertFalse(ResultsExchange.verified(ChainTraining_ConsensusTest.LAYOUT, unsigned, 5, BATCH_A, A).isPresent());
        var good = new ResultsExchange.ServedResult(A.signer().bytes(), ra.commitment(), KEY_A.sign(ra.commitment()), wire);
        assertTrue(ResultsExchange.verified(ChainTraining_ConsensusTest.LAYOUT, good, 5, BATCH_A, A).isPresent());
    }

    @Test void servedBytesThatDifferFromTheSignedCommitmentAreNotHeard() {
        DistroResult committed = result(5, BATCH_A, 1f), other = result(5, BATCH_A, -1f);
        assertFalse(Arrays.equals(committed.commitment(), other.commitment()));
        byte[] signature = KEY_A.sign(committed.commitment());
        var lying = new ResultsExchange.ServedResult(A.signer().bytes(), committed.commitment(), signature, other.encode());
        assertTrue(ResultsExchange.rejection(ChainTraining_ConsensusTest.LAYOUT, lying, 5, BATCH_A, A).get().contains("do not hash"));
        var garbage = new ResultsExchange.ServedResult(A.signer().bytes(), committed.commitment(), signature, new byte[] {1, 2, 3});
        assertTrue(ResultsExchange.rejection(ChainTraining_ConsensusTest.LAYOUT, garbage, 5, BATCH_A, A).get().contains("does not decode"));
    }

    @Test void aTruncatedOrPaddedBundleIsMalformed() {
        Map<NodeIdentity, ResultsExchange.HeardResult> results = new LinkedHashMap<>();
        results.put(A, heard(result(5, BATCH_A, 1f)));
        results.put(B, heard(result(5, BATCH_B, 1f)));
        byte[] whole = ResultsExchange.bundle(ChainTraining_ConsensusTest.LAYOUT, results, ResultsExchange.HONEST, SIGN);
        assertEquals(2, ResultsExchange.parseBundle(whole).size());
        assertThrows(IllegalArgumentException.class, () -> ResultsExchange.parseBundle(Arrays.copyOf(whole, whole.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> ResultsExchange.parseBundle(Arrays.copyOf(whole, whole.length + 3)));
        assertThrows(IllegalArgumentException.class, () -> ResultsExchange.parseBundle(new byte[10]));
        assertEquals(0, ResultsExchange.parseBundle(new byte[0]).size());
    }

    @Test void aServerThatSwapsItsBytesAnnouncesAndSignsTheCommitmentOfWhatItServes() {
        DistroResult mine = result(5, BATCH_A, 1f);
        DistroResult other = result(5, BATCH_A, -1f);
        Map<NodeIdentity, ResultsExchange.HeardResult> results = Map.of(A, heard(mine));
        var served = ResultsExchange.parseBundle(ResultsExchange.bundle(ChainTraining_ConsensusTest.LAYOUT, results, r -> other, SIGN)).get(0);
        assertArrayEquals(other.encode(), served.wire());
        assertArrayEquals(other.commitment(), served.commitment());
        // consistent with itself and signed by its trainer, so a fetcher hears it; only the witnesses' broadcast blooms
        // can tell (ChainTraining_ConsensusTest)
        assertTrue(ResultsExchange.verified(ChainTraining_ConsensusTest.LAYOUT, served, 5, BATCH_A, A).isPresent());
    }
}
