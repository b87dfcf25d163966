package psyche.display;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The number formatting policy on the values the issue found raw in tables, cards and charts. */
class Numbers_FormatTest {
    @Test
    void learningRatesHaveThreeSignificantDigitsInScientificNotation() {
        assertEquals("9.00e-04", Numbers.lr(0.0009000000000000001));
        assertEquals("1.00e-03", Numbers.lr(0.000999938487246611));
        assertEquals("4.00e-04", Numbers.lr(4e-4));
        assertEquals("0", Numbers.lr(0));
    }

    @Test
    void lossesHaveFourDecimals() {
        assertEquals("6.6800", Numbers.loss(6.68));
        assertEquals("6.9091", Numbers.loss(6.9091));
        assertEquals("NaN", Numbers.loss(Double.NaN));
    }

    @Test
    void countsAreGroupedAndU64IsUnsigned() {
        assertEquals("35,000,000", Numbers.count(35_000_000));
        assertEquals("0", Numbers.count(0));
        assertEquals("18,446,744,073,709,551,615", Numbers.unsigned(-1L));
        assertEquals("9223372036854775808", Numbers.unsignedPlain(Long.MIN_VALUE));
    }

    @Test
    void tokenAmountsAreShownInTheMintsUnits() {
        assertEquals("150", Numbers.tokens(150_000_000L, 6));
        assertEquals("30", Numbers.tokens(30_000_000L, 6));
        assertEquals("0.5", Numbers.tokens(500_000L, 6));
        assertEquals("0.000001", Numbers.tokens(1L, 6));
        assertEquals("1,234.5", Numbers.tokens(1_234_500_000L, 6));
        assertEquals("18,446,744,073,709.551615", Numbers.tokens(-1L, 6));
        assertEquals("150", Numbers.tokens(150.0));
        assertEquals("150 tokens", TokenUnits.ofMint(6).formatWithName(150_000_000L));
        assertEquals("150000000 native units", TokenUnits.NATIVE.format(150_000_000L).replace(",", "") + " native units");
    }

    @Test
    void bytesAndDurationsReadAsPeopleSayThem() {
        assertEquals("512 B", Numbers.bytes(512));
        assertEquals("1.5 KiB", Numbers.bytes(1536));
        assertEquals("116 KiB", Numbers.bytes(119_160L));
        assertEquals("2 GiB", Numbers.bytes(2L << 30));
        assertEquals("350 ms", Numbers.duration(Duration.ofMillis(350)));
        assertEquals("0 s", Numbers.duration(Duration.ZERO));
        assertEquals("7 s", Numbers.duration(Duration.ofSeconds(7)));
        assertEquals("4.2 s", Numbers.duration(Duration.ofMillis(4_200)));
        assertEquals("3 min 5 s", Numbers.duration(Duration.ofSeconds(185)));
        assertEquals("2 h 4 min", Numbers.duration(Duration.ofMinutes(124)));
        assertEquals("3 d 4 h", Numbers.duration(Duration.ofHours(76)));
    }

    @Test
    void otherQuantitiesHaveFourSignificantDigitsAndNoJavaENotation() {
        assertEquals("0.1235", Numbers.number(0.123456));
        assertEquals("6.909", Numbers.number(6.90912));
        assertEquals("1,024", Numbers.number(1024.0));
        assertEquals("1.235e-05", Numbers.number(1.2345e-5));
        assertEquals("∞", Numbers.number(Double.POSITIVE_INFINITY));
        assertEquals("42%", Numbers.percent(0.42));
    }

    @Test
    void chartTicksUseSiPrefixesOrShortScientific() {
        assertEquals("35M", Numbers.tick(3.5e7));
        assertEquals("1,500", Numbers.tick(1500));
        assertEquals("35.0005M", Numbers.tick(35_000_500));
        assertEquals("1.05e-03", Numbers.tick(1.05e-3));
        assertEquals("1.0e-03", Numbers.tick(1e-3));
        assertEquals("0", Numbers.tick(0));
        assertEquals("0.25", Numbers.tick(0.25));
        assertEquals("250", Numbers.tick(250));
    }

    @Test
    void columnsAreFormattedByWhatTheyHold() {
        assertEquals("9.00e-04", Numbers.forColumn("lr").apply(0.0009000000000000001));
        assertEquals("6.6800", Numbers.forColumn("train_loss").apply(6.68));
        assertEquals("1.5 KiB", Numbers.forColumn("result_bytes").apply(1536.0));
        assertEquals("0.1235", Numbers.forColumn("tokens_per_s").apply(0.123456));
    }
}
