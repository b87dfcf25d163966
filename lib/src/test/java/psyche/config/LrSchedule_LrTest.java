package psyche.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Psyche's own scheduler tests ({@code shared/core/src/definitions.rs}), reproduced. */
class LrSchedule_LrTest {
    private static final double EPS = 1e-12;

    @Test void constantWarmsUpLinearlyThenHolds() {
        LrSchedule s = new LrSchedule.Constant(0.01, 0.001, 10);
        assertEquals(0.001, s.lr(0), EPS);
        assertEquals(0.001 + (0.01 - 0.001) * 0.5, s.lr(5), EPS);
        assertEquals(0.001 + (0.01 - 0.001) * 0.9, s.lr(9), EPS);
        assertEquals(0.01, s.lr(10), EPS);
        assertEquals(0.01, s.lr(1000), EPS);
    }

    @Test void constantWithoutWarmupStartsAtBase() {
        assertEquals(0.01, new LrSchedule.Constant(0.01, 0.001, 0).lr(0), EPS);
    }

    @Test void linearDecaysToFinalAndClamps() {
        LrSchedule s = new LrSchedule.Linear(0.01, 0.001, 0.0001, 10, 100);
        assertEquals(0.001, s.lr(0), EPS);
        assertEquals(0.001 + (0.01 - 0.001) * 0.5, s.lr(5), EPS);
        assertEquals(0.01, s.lr(10), EPS);
        assertEquals(0.01 + (0.0001 - 0.01) * 0.5, s.lr(55), EPS);
        assertEquals(0.0001, s.lr(100), EPS);
        assertEquals(0.0001, s.lr(200), EPS);
        assertEquals(0.01, new LrSchedule.Linear(0.01, 0.01, 0.001, 10, 100).lr(5), EPS);
    }

    @Test void cosineHalfwayAndEnd() {
        LrSchedule s = new LrSchedule.Cosine(0.01, 0.001, 0.0, 10, 110);
        assertEquals(0.001, s.lr(0), EPS);
        assertEquals(0.001 + (0.01 - 0.001) * 0.5, s.lr(5), EPS);
        assertEquals(0.01, s.lr(10), EPS);
        assertEquals(0.005, s.lr(60), EPS);
        assertEquals(0.0, s.lr(110), EPS);
        assertEquals(0.01, new LrSchedule.Cosine(0.01, 0.001, 0.01, 10, 100).lr(50), EPS);
    }

    /** Quirk kept from Psyche: no clamp past total_steps, the cosine climbs back to base_lr. */
    @Test void cosineIsNotClampedPastTotal() {
        LrSchedule s = new LrSchedule.Cosine(0.01, 0.001, 0.0, 10, 110);
        assertEquals(0.005, s.lr(160), EPS);
        assertEquals(0.01, s.lr(210), EPS);
    }

    @Test void warmupStableDecayPhases() {
        // Psyche's argument order differs: (base, warmup, init, stable, cosine steps, cosine final, linear steps, linear final)
        LrSchedule s = new LrSchedule.WarmupStableDecay(0.01, 0.001, 0.001, 0.0, 10, 60, 110, 20);
        assertEquals(0.001, s.lr(0), EPS);
        assertEquals(0.001 + (0.01 - 0.001) * 0.5, s.lr(5), EPS);
        assertEquals(0.01, s.lr(10), EPS);
        assertEquals(0.01, s.lr(69), EPS);
        assertEquals(0.01, s.lr(70), EPS);
        assertEquals(0.0055, s.lr(125), 1e-4);
        assertEquals(0.001, s.lr(179), 1e-4);
        assertEquals(0.001, s.lr(180), EPS);
        assertEquals(0.0005, s.lr(190), EPS);
        assertEquals(0.0001, s.lr(199), 1e-4);
        assertEquals(0.0, s.lr(200), EPS);
        assertEquals(0.0, s.lr(250), EPS);
    }

    @Test void warmupStableDecayWithNoStepsIsTheLinearFinal() {
        assertEquals(0.001, new LrSchedule.WarmupStableDecay(0.01, 0.001, 0.001, 0.001, 0, 0, 0, 0).lr(0), EPS);
    }
}
