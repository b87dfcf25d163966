package psyche.coordinator;

import psyche.config.CoordinatorConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which sequences each trainer trains in a round ({@code shared/coordinator/src/data_selection.rs}, spec §4):
 * batch-size ramp, Fisher–Yates with an LCG, contiguous ranges.
 */
public final class DataAssignment {
    private DataAssignment() {}

    public static final long LCG_A = 6364136223846793005L;
    public static final long LCG_C = 1442695040888963407L;

    /** Fisher–Yates (i = n-1..1, j = next % (i+1)) driven by the LCG seeded with {@code seed}; returns a new list. */
    public static <T> List<T> deterministicShuffle(List<T> items, long seed) {
        List<T> out = new ArrayList<>(items);
        long state = seed;
        for (int i = out.size() - 1; i >= 1; i--) {
            state = state * LCG_A + LCG_C;
            int j = (int) Long.remainderUnsigned(state, i + 1);
            T tmp = out.get(i);
            out.set(i, out.get(j));
            out.set(j, tmp);
        }
        return out;
    }

    /**
     * The {@link #assign} of the state as a lookup by trainer, in batch order: each trainer finds its own batch
     * ({@code get(identity)}; identities are equal by signer) without scanning the assignment.
     */
    public static Map<NodeIdentity, BatchId> byTrainer(CoordinatorState state) {
        Map<NodeIdentity, BatchId> out = new LinkedHashMap<>();
        assign(state).forEach((batch, trainer) -> out.put(trainer, batch));
        return out;
    }

    /**
     * {@code assign_data_for_state}: Trainer-committee clients of the current round in {@code epoch_state.clients}
     * order, shuffled with the round seed; {@code gbs / n} each, the first {@code gbs % n} one more, contiguous
     * from {@code round.data_index}. Ordered by batch start. Empty when no round or no trainer.
     */
    public static Map<BatchId, NodeIdentity> assign(CoordinatorState state) {
        Round round = Coordinator.currentRound(state);
        List<Client> clients = state.epochState().clients();
        Map<BatchId, NodeIdentity> out = new LinkedHashMap<>();
        if (round == null || clients.isEmpty() || round.clientsLen() == 0) return out;
        CommitteeSelection selection = CommitteeSelection.forRound(round, state.config().witnessNodes(),
                state.config().verificationPercent());
        List<NodeIdentity> trainers = new ArrayList<>();
        for (int i = 0; i < clients.size() && i < selection.totalNodes(); i++) {
            if (selection.committeeProof(i).committee() == Committee.Trainer) trainers.add(clients.get(i).id());
        }
        if (trainers.isEmpty()) return out;
        List<NodeIdentity> shuffled = deterministicShuffle(trainers, round.randomSeed());
        long gbs = state.config().globalBatchSize(round.dataIndex() * state.model().maxSeqLen());
        long n = shuffled.size();
        long base = gbs / n;
        long extra = gbs % n;
        long cur = round.dataIndex();
        for (int i = 0; i < n; i++) {
            long size = base + (i < extra ? 1 : 0);
            if (size == 0) continue; // more trainers than sequences: the rest get nothing
            out.put(new BatchId(cur, cur + size - 1), shuffled.get(i));
            cur += size;
        }
        return out;
    }
}
