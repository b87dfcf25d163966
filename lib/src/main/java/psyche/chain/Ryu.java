package psyche.chain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Floats as serde_json writes them: the shortest decimal that reads back to the same f32/f64 (the closest one when
 * several are as short), laid out as ryu's {@code format32}/{@code format64} do (dtolnay/ryu src/pretty/mod.rs):
 * {@code 1.0}, {@code 0.001}, {@code 0.00004}, {@code 4e-6}, {@code 1.5e20}. Finite values only.
 */
final class Ryu {
    private Ryu() {}

    static String f64(double d) {
        if (!Double.isFinite(d)) throw new IllegalArgumentException("not finite: " + d);
        if (d == 0) return (1 / d < 0 ? "-" : "") + "0.0";
        BigDecimal exact = new BigDecimal(Math.abs(d));
        BigDecimal shortest = null;
        for (int p = 1; p <= 17 && shortest == null; p++) shortest = roundTrip(exact, p, x -> x.doubleValue() == Math.abs(d));
        return (d < 0 ? "-" : "") + layout(shortest, 16, -5);
    }

    static String f32(float f) {
        if (!Float.isFinite(f)) throw new IllegalArgumentException("not finite: " + f);
        if (f == 0) return (1 / f < 0 ? "-" : "") + "0.0";
        BigDecimal exact = new BigDecimal((double) Math.abs(f));
        BigDecimal shortest = null;
        for (int p = 1; p <= 9 && shortest == null; p++) shortest = roundTrip(exact, p, x -> x.floatValue() == Math.abs(f));
        return (f < 0 ? "-" : "") + layout(shortest, 13, -6);
    }

    /** The p-digit decimal nearest {@code exact} that reads back, else the other neighbour that does, else null. */
    private static BigDecimal roundTrip(BigDecimal exact, int p, java.util.function.Predicate<BigDecimal> readsBack) {
        BigDecimal near = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
        if (readsBack.test(near)) return near;
        BigDecimal up = exact.round(new MathContext(p, RoundingMode.CEILING));
        BigDecimal down = exact.round(new MathContext(p, RoundingMode.FLOOR));
        boolean u = readsBack.test(up), dn = readsBack.test(down);
        if (u && dn) return up.subtract(exact).abs().compareTo(exact.subtract(down).abs()) <= 0 ? up : down;
        return u ? up : dn ? down : null;
    }

    /** ryu's layout of digits × 10^k, with kk = digits + k the position of the decimal point. */
    private static String layout(BigDecimal v, int maxKk, int minKkExclusive) {
        BigDecimal s = v.stripTrailingZeros();
        String digits = s.unscaledValue().toString();
        int length = digits.length();
        int k = -s.scale();
        int kk = length + k;
        if (0 <= k && kk <= maxKk) return digits + "0".repeat(k) + ".0";
        if (0 < kk && kk <= maxKk) return digits.substring(0, kk) + "." + digits.substring(kk);
        if (minKkExclusive < kk && kk <= 0) return "0." + "0".repeat(-kk) + digits;
        String mantissa = length == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + "e" + (kk - 1);
    }
}
