package psyche.frames;

import org.junit.jupiter.api.Test;
import psyche.display.TokenUnits;
import psyche.testing.RunFixtures;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tables print people's numbers: the policy on numeric columns, token units, one-row tables on their side. */
class Frames_FormattedTest {
    @Test
    void numericColumnsPrintWithThePolicy() {
        Table steps = Table.create("steps",
                LongColumn.create("step", 1, 12_000),
                DoubleColumn.create("lr", 0.0009000000000000001, 0.000999938487246611),
                DoubleColumn.create("loss", 6.68, 6.9091),
                LongColumn.create("random_seed", -1L, 7L));
        String printed = Frames.formatted(steps).print();
        assertTrue(printed.contains("9.00e-04") && printed.contains("1.00e-03"), printed);
        assertTrue(printed.contains("6.6800") && printed.contains("6.9091"), printed);
        assertTrue(printed.contains("12,000"), printed);
        assertTrue(printed.contains("18446744073709551615"), printed);
        assertFalse(printed.contains("E-"), printed);
        assertFalse(printed.contains("-1 "), printed);
        assertEquals(0.0009000000000000001, steps.doubleColumn("lr").get(0), "values are untouched, only printing changes");
    }

    @Test
    void ratesAndAmountsAreInTheMintsUnitsAndNativeOnRequest() {
        Table tokens = Frames.runSummary(RunFixtures.training(), Instant.ofEpochSecond(1_057), TokenUnits.ofMint(2));
        assertEquals(6.0, tokens.doubleColumn("earning_rate").get(0), "600 native units at 2 decimals");
        assertEquals("6", tokens.column("earning_rate").getString(0));
        Table nativeUnits = Frames.runSummary(RunFixtures.training(), Instant.ofEpochSecond(1_057), TokenUnits.NATIVE);
        assertEquals(600L, nativeUnits.longColumn("earning_rate").get(0));
        Table treasury = Frames.treasury("r", new TreasuryFigures(150_000_000, 3_000_000, 1_000_000, 30_000_000), TokenUnits.ofMint(6));
        assertEquals("150", treasury.column("funded").getString(0));
        assertEquals("30", treasury.column("burn_per_epoch").getString(0));
        assertTrue(treasury.name().contains("tokens"), treasury.name());
    }

    @Test
    void aOneRowTableTurnsOnItsSide() {
        Table summary = Frames.runSummary(RunFixtures.training(), Instant.ofEpochSecond(1_057));
        Table v = Frames.vertical(summary);
        assertEquals(summary.columnCount(), v.rowCount());
        assertEquals(2, v.columnCount());
        StringColumn field = v.stringColumn("field");
        int i = field.asList().indexOf("total_steps");
        assertEquals("200", v.stringColumn("value").get(i));
        assertEquals("earning_rate", field.get(field.asList().indexOf("earning_rate")));
    }
}
