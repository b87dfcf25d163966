package psyche.train;

import org.junit.jupiter.api.Test;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;
import psyche.coordinator.BatchId;
import psyche.train.distro.DistroResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that dies mid-run, through the seams a coordinator drives: it gets no more data and its results leave the
 * consensus. The others go on while at least min_clients results remain.
 */
class Training_ClientLossTest {
    static final Path TRAIN = Path.of("../datasets/tiny/train.bin");
    static final LlamaConfig SMALL = new LlamaConfig(32, 1, 4, 2, 64, 1024, 64, 10000.0, 1e-5, true);

    static RunConfig config() {
        return TinyRun.config(TRAIN, 5, new Optimizer.Distro(Optional.empty(), Optional.empty(), 0.999f, 8, 64, true),
                new LrSchedule.Constant(4e-3, 0, 0), 6, 32);
    }

    /** Client 2 is gone from step 3: the batch is split between the two others. */
    static final AssignmentSource CLIENT_2_DIES_AT_3 = (step, dataIndex, batchSize, clients) -> {
        int alive = step >= 3 ? clients - 1 : clients;
        List<BatchId> out = new ArrayList<>(AssignmentSource.contiguous().assign(step, dataIndex, batchSize, alive));
        while (out.size() < clients) out.add(null);
        return out;
    };

    @Test void runGoesOnWithoutTheDeadClient() {
        List<StepReport> reports = new ArrayList<>();
        List<Integer> consensusSizes = new ArrayList<>();
        RoundDriver base = RoundDriver.inProcess(config().config(), 32, 5);
        RoundDriver driver = new RoundDriver() {
            public Optional<Round> next(long lastStep) { return base.next(lastStep); }
            public List<DistroResult> consensus(long step, List<DistroResult> published) {
                consensusSizes.add(published.size());
                return published;
            }
        };
        try (Training t = Training.builder().setConfig(config()).optClients(3).optModel(SMALL).optDevice("cpu")
                .optAssignment(CLIENT_2_DIES_AT_3).optRoundDriver(driver).optListener(reports::add).build()) {
            t.run();
        }
        assertEquals(List.of(3, 3, 2, 2, 2), consensusSizes);
        assertEquals(5, reports.size());
        assertTrue(Float.isNaN(reports.get(4).clientLosses().get(2)), "the dead client trains nothing");
        assertEquals(6 * 32, reports.get(4).tokens(), "the whole batch is still trained");
    }

    @Test void fewerResultsThanMinClientsStopsTheSession() {
        RunConfig cfg = config();
        RunConfig needTwo = new RunConfig(new psyche.config.CoordinatorConfig(15, 30, 15, 1, 0, 60, 5, 2, 2, 0, 6, 6, 0, 3),
                cfg.model());
        AssignmentSource onlyFirst = (step, dataIndex, batchSize, clients) -> {
            List<BatchId> out = new ArrayList<>();
            out.add(new BatchId(dataIndex, dataIndex + batchSize - 1));
            out.add(step >= 2 ? null : out.get(0));
            return out;
        };
        try (Training t = Training.builder().setConfig(needTwo).optClients(2).optModel(SMALL).optDevice("cpu")
                .optAssignment(onlyFirst).build()) {
            TrainingException e = assertThrows(TrainingException.class, t::run);
            assertTrue(e.getMessage().contains("round 2") && e.getMessage().contains("min_clients 2"), e.getMessage());
        }
    }
}
