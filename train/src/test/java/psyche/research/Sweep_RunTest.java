package psyche.research;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Sweep_RunTest {
    private static final Path TRAIN = Path.of("..", "datasets", "tiny", "train.bin");
    private static final Path VALID = Path.of("..", "datasets", "tiny", "valid.bin");

    static Sweep sweep() {
        return Sweep.builder().setDataset(TRAIN).optHeldOut(VALID).optHeldOutSequences(4)
                .optTopk(4, 32).optChunk(16).optQuantize1bit(true).optClients(2).optSteps(3).optBatch(4, 32)
                .optProgress(false).build();
    }

    @Test
    void grid_baselineFirst_thenEveryCombination_skippingTopkAboveChunkSquared() {
        var v = Sweep.builder().setDataset(TRAIN).optTopk(4, 300).optChunk(16).optQuantize1bit(true, false).build().variants();
        assertEquals(List.of("AdamW", "DisTrO k4 c16 d0.999 1bit x2", "DisTrO k4 c16 d0.999 x2"), v.stream().map(Sweep.Variant::name).toList());
    }

    @Test
    void run_tabulatesEachVariant_andARerunGivesTheSameLosses() {
        Sweep.Result first = sweep().run();
        Table t = first.table();
        assertEquals(3, t.rowCount());
        assertEquals(List.of("AdamW", "DisTrO", "DisTrO"), t.stringColumn("optimizer").asList());
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isFinite(t.doubleColumn("final_loss").get(i)), t.print());
            assertTrue(Double.isFinite(t.doubleColumn("held_out_loss").get(i)), t.print());
            assertTrue(t.stringColumn("tokens_per_s").get(i).endsWith("(timing)"), t.print());
        }
        assertTrue(t.longColumn("bytes_per_step").isMissing(0), "AdamW sends nothing");
        assertEquals(0.999, t.doubleColumn("compression_decay").get(1));
        // more coefficients kept: more bytes on the wire, a smaller ratio to dense bf16
        long k4 = t.longColumn("bytes_per_step").get(1);
        long k32 = t.longColumn("bytes_per_step").get(2);
        assertTrue(k32 > k4, t.print());
        assertTrue(t.doubleColumn("dense_bf16_ratio").get(1) > t.doubleColumn("dense_bf16_ratio").get(2), t.print());

        Sweep.Result second = sweep().run();
        for (int i = 0; i < 3; i++) {
            assertEquals(first.outcomes().get(i).steps().stream().map(s -> s.clientLosses()).toList(),
                    second.outcomes().get(i).steps().stream().map(s -> s.clientLosses()).toList(), "variant " + i + " re-run");
            assertEquals(first.outcomes().get(i).heldOutLoss(), second.outcomes().get(i).heldOutLoss());
        }
        assertEquals(3, first.lossChart().getSeriesMap().size());
    }
}
