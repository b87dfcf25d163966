package psyche.train;

import psyche.coordinator.BatchId;

import java.util.ArrayList;
import java.util.List;

/**
 * Who trains which sequences in a round. In-process sessions split the global batch into contiguous ranges; a
 * session following a chain-backed coordinator plugs in the engine's {@code assign_data_for_state} here.
 */
@FunctionalInterface
public interface AssignmentSource {
    /**
     * Ranges of sequence indices, one per client in client order (an empty batch gets {@code null}), covering
     * {@code [dataIndex, dataIndex + batchSize)}.
     */
    List<BatchId> assign(long step, long dataIndex, int batchSize, int clients);

    /** {@code base = gbs / n}, the first {@code gbs % n} clients get one more, contiguous from {@code dataIndex}. */
    static AssignmentSource contiguous() {
        return (step, dataIndex, batchSize, clients) -> {
            List<BatchId> out = new ArrayList<>(clients);
            long at = dataIndex;
            for (int c = 0; c < clients; c++) {
                int n = batchSize / clients + (c < batchSize % clients ? 1 : 0);
                out.add(n == 0 ? null : new BatchId(at, at + n - 1));
                at += n;
            }
            return out;
        };
    }
}
