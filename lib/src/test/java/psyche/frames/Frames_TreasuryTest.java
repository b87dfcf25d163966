package psyche.frames;

import psyche.testing.RunFixtures;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Frames_TreasuryTest {
    @Test
    void runwayIsSurplusOverBurn() {
        Table t = Frames.treasury("r", new TreasuryFigures(10_000, 3_000, 1_000, 600));
        assertEquals(2_000L, t.longColumn("unclaimed").get(0));
        assertEquals(8_000L, t.longColumn("surplus").get(0));
        assertEquals(0L, t.longColumn("missing").get(0));
        assertEquals(8_000.0 / 600, t.doubleColumn("runway_epochs").get(0), 1e-12);
    }

    @Test
    void underfundedTreasuryReportsMissingAndNoRunway() {
        TreasuryFigures f = new TreasuryFigures(500, 3_000, 1_000, 600);
        assertEquals(1_500, f.missing());
        assertEquals(0.0, f.runwayEpochs());
    }

    @Test
    void noBurnMeansInfiniteRunway() {
        assertEquals(Double.POSITIVE_INFINITY, new TreasuryFigures(1, 0, 0, 0).runwayEpochs());
    }
}
