package psyche.coordinator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Committee and witness selection of one round ({@code shared/coordinator/src/committee_selection.rs}):
 * {@code seed32 = sha256(seed u64 LE)}; the position of index i is the swap-or-not shuffle of i under
 * {@code sha256(seed32 ‖ salt)} with salt "committee" or "witness". Immutable; instances for recent
 * (seed, sizes) are memoized because every witness and health check of a round re-derives the same selection.
 */
public final class CommitteeSelection {
    public static final String COMMITTEE_SALT = "committee";
    public static final String WITNESS_SALT = "witness";

    private final long tieBreakerNodes;
    private final long verifierNodes;
    private final long totalNodes;
    private final long witnessNodes;
    private final byte[] seed;
    private final SwapOrNot committeeShuffle;
    private final SwapOrNot witnessShuffle;

    private record Key(long tie, long witness, int verification, long total, long seed) {}

    private static final int CACHE_SIZE = 64;
    private static final Map<Key, CommitteeSelection> CACHE = new LinkedHashMap<>(CACHE_SIZE * 2, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Key, CommitteeSelection> e) { return size() > CACHE_SIZE; }
    };

    private CommitteeSelection(long tie, long witness, int verificationPercent, long total, long seed) {
        this.tieBreakerNodes = tie;
        this.witnessNodes = witness;
        this.totalNodes = total;
        this.verifierNodes = ((total - tie) * verificationPercent) / 100;
        this.seed = Hashing.sha256(Hashing.u64le(seed));
        this.committeeShuffle = total == 0 ? null
                : new SwapOrNot(Hashing.sha256(this.seed, COMMITTEE_SALT.getBytes(StandardCharsets.US_ASCII)), total);
        this.witnessShuffle = total == 0 ? null
                : new SwapOrNot(Hashing.sha256(this.seed, WITNESS_SALT.getBytes(StandardCharsets.US_ASCII)), total);
    }

    /**
     * Psyche's {@code CommitteeSelection::new}.
     *
     * @throws CoordinatorException InvalidCommitteeSelection when {@code total < tieBreakers},
     *         {@code witnessNodes != 0 && total < witnessNodes} or {@code verificationPercent > 100}
     */
    public static CommitteeSelection create(long tieBreakerNodes, long witnessNodes, int verificationPercent,
                                            long totalNodes, long seed) {
        if (totalNodes < tieBreakerNodes) {
            throw new CoordinatorException(CoordinatorError.InvalidCommitteeSelection,
                    totalNodes + " clients < " + tieBreakerNodes + " tie breakers");
        }
        if (witnessNodes != 0 && totalNodes < witnessNodes) {
            throw new CoordinatorException(CoordinatorError.InvalidCommitteeSelection,
                    totalNodes + " clients < witness_nodes " + witnessNodes);
        }
        if (verificationPercent > 100 || verificationPercent < 0) {
            throw new CoordinatorException(CoordinatorError.InvalidCommitteeSelection,
                    "verification_percent " + verificationPercent + " > 100");
        }
        Key key = new Key(tieBreakerNodes, witnessNodes, verificationPercent, totalNodes, seed);
        synchronized (CACHE) {
            CommitteeSelection cached = CACHE.get(key);
            if (cached != null) return cached;
        }
        CommitteeSelection made = new CommitteeSelection(tieBreakerNodes, witnessNodes, verificationPercent, totalNodes, seed);
        synchronized (CACHE) {
            CACHE.put(key, made);
        }
        return made;
    }

    /** The selection of a round: its tie breakers, clients_len and seed with the config's witness nodes and verification. */
    public static CommitteeSelection forRound(Round round, int witnessNodes, int verificationPercent) {
        return create(round.tieBreakerTasks(), witnessNodes, verificationPercent, round.clientsLen(), round.randomSeed());
    }

    public WitnessProof witnessProof(long index) {
        long position = witnessShuffle(index);
        return new WitnessProof(position, index, isWitnessPosition(position));
    }

    public CommitteeProof committeeProof(long index) {
        long position = committeeShuffle(index);
        return new CommitteeProof(committeeAt(position), position, index);
    }

    public Committee committeeAt(long position) {
        if (position < tieBreakerNodes) return Committee.TieBreaker;
        if (position < tieBreakerNodes + verifierNodes) return Committee.Verifier;
        return Committee.Trainer;
    }

    /** Witness ⇔ position &lt; witness_nodes, or &lt; 32 when witness_nodes is 0. */
    public boolean isWitnessPosition(long position) {
        return witnessNodes == 0 ? position < Round.MAX_WITNESSES : position < witnessNodes;
    }

    public boolean verifyCommittee(CommitteeProof proof) {
        if (proof.index() < 0 || proof.index() >= totalNodes) return false;
        long position = committeeShuffle(proof.index());
        return proof.position() == position && proof.committee() == committeeAt(position);
    }

    public boolean verifyWitness(WitnessProof proof) {
        if (proof.index() < 0 || proof.index() >= totalNodes) return false;
        long position = witnessShuffle(proof.index());
        return proof.position() == position && proof.witness() == isWitnessPosition(position);
    }

    /** The proof's index names this client in {@code clients} and the committee proof verifies. */
    public boolean verifyCommitteeForClient(NodeIdentity id, CommitteeProof proof, List<Client> clients) {
        return isClientAt(id, proof.index(), clients) && verifyCommittee(proof);
    }

    public boolean verifyWitnessForClient(NodeIdentity id, WitnessProof proof, List<Client> clients) {
        return isClientAt(id, proof.index(), clients) && verifyWitness(proof);
    }

    private static boolean isClientAt(NodeIdentity id, long index, List<Client> clients) {
        return index >= 0 && index < clients.size() && clients.get((int) index).id().equals(id);
    }

    private long committeeShuffle(long index) {
        // Psyche asserts index < total (a panic on chain); a zero-client selection has no valid index
        if (committeeShuffle == null) throw new IllegalArgumentException("no clients to select from");
        return committeeShuffle.shuffledIndex(index);
    }

    private long witnessShuffle(long index) {
        if (witnessShuffle == null) throw new IllegalArgumentException("no clients to select from");
        return witnessShuffle.shuffledIndex(index);
    }

    public byte[] seed() { return seed.clone(); }

    public long tieBreakerNodes() { return tieBreakerNodes; }

    public long verifierNodes() { return verifierNodes; }

    public long trainerNodes() { return totalNodes - tieBreakerNodes - verifierNodes; }

    public long totalNodes() { return totalNodes; }

    public long witnessNodes() { return witnessNodes; }
}
