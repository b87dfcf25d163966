package psyche.display;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The unit token amounts are shown in: a mint's units (its {@code decimals}, as amounts are typed into
 * {@code topUp(150)} or {@code setFutureRates(30, 0)}), points (a run without treasurer), or raw native units on
 * request ({@link #NATIVE}).
 */
public record TokenUnits(int decimals, String name) {
    /** Points of a run without treasurer: 1 point = 1 native unit. */
    public static final TokenUnits POINTS = new TokenUnits(0, "points");
    /** Raw native units, whatever the mint's decimals. */
    public static final TokenUnits NATIVE = new TokenUnits(0, "native units");

    public TokenUnits {
        Objects.requireNonNull(name, "name");
        if (decimals < 0 || decimals > 18) throw new IllegalArgumentException("decimals must be 0..18, got " + decimals);
    }

    /** A mint's units. */
    public static TokenUnits ofMint(int decimals) { return new TokenUnits(decimals, "tokens"); }

    /** {@code nativeUnits} (a u64) in these units, as a double. */
    public double value(long nativeUnits) {
        return new BigDecimal(Long.toUnsignedString(nativeUnits)).movePointLeft(decimals).doubleValue();
    }

    /** {@code nativeUnits} formatted in these units, e.g. {@code 150} for 150000000 at 6 decimals. */
    public String format(long nativeUnits) { return Numbers.tokens(nativeUnits, decimals); }

    /** {@code nativeUnits} formatted with the unit name: {@code 150 tokens}. */
    public String formatWithName(long nativeUnits) { return format(nativeUnits) + " " + name; }
}
