package psyche.charts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import psyche.config.CoordinatorConfig;
import psyche.config.LrSchedule;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Charts_ConfigChartsTest {
    @Test
    void lrScheduleSeriesFollowsTheSchedule() {
        LrSchedule cosine = new LrSchedule.Cosine(1e-3, 0.0, 1e-4, 10, 200);
        XYChart chart = Charts.lrSchedule(cosine, 200);
        XYSeries s = chart.getSeriesMap().get("lr(step)");
        assertEquals(201, s.getXData().length);
        assertEquals(0.0, s.getYData()[0], 0.0);
        assertEquals(1e-3, s.getYData()[10], 1e-15);
        assertEquals(1e-4, s.getYData()[200], 1e-15);
        assertEquals("step", chart.getXAxisTitle());
        assertEquals("learning rate", chart.getYAxisTitle());
        assertTrue(chart.getTitle().contains("Cosine"));
    }

    @Test
    void longSchedulesAreSampledKeepingBothEnds() {
        XYChart chart = Charts.lrSchedule(new LrSchedule.Constant(1e-3, 0, 100), 25_000);
        double[] x = chart.getSeriesMap().get("lr(step)").getXData();
        assertEquals(Charts.MAX_POINTS, x.length);
        assertEquals(0.0, x[0]);
        assertEquals(25_000.0, x[x.length - 1]);
    }

    @Test
    void batchRampRisesFromStartToEnd() {
        // gbs 4 -> 8 over 1024 tokens at 128 tokens per sequence; 5 steps
        CoordinatorConfig cfg = new CoordinatorConfig(10, 5, 10, 2, 1024, 60, 5, 2, 1, 1, 4, 8, 0, 3);
        XYChart chart = Charts.batchRamp(cfg, 128);
        double[] y = chart.getSeriesMap().get("global batch size").getYData();
        // step 1: index 0 -> 4; step 2: index 4 (512 tok) -> 6; step 3: index 10 (1280) -> 8; then 8
        assertArrayEquals(new double[]{4, 6, 8, 8, 8}, y);
        assertEquals("batch size (sequences)", chart.getYAxisTitle());
    }

    @Test
    void savesPngAndSvgAndRejectsOtherExtensions(@TempDir Path dir) throws Exception {
        XYChart chart = Charts.lrSchedule(new LrSchedule.Constant(1e-3, 0, 10), 100);
        Path png = Charts.save(chart, dir.resolve("a/lr.png"));
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        Path svg = Charts.save(chart, dir.resolve("lr.svg"));
        assertTrue(Files.readString(svg).contains("<svg"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Charts.save(chart, dir.resolve("lr.gif")));
        assertTrue(e.getMessage().contains(".png or .svg"));
    }

    @Test
    void zeroStepsIsRejectedWithAReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> Charts.lrSchedule(new LrSchedule.Constant(1, 0, 0), 0));
        assertTrue(e.getMessage().contains("totalSteps"));
    }
}
