package psyche.display;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * The one number formatting policy: tables (HTML and text), cards, charts and command-line text all format numbers
 * here, so a learning rate, a loss or a token amount reads the same everywhere. Locale-independent (ROOT), digits
 * grouped by commas.
 *
 * <ul>
 *   <li>learning rates: 3 significant digits in scientific notation ({@code 9.00e-04}); zero is {@code 0};</li>
 *   <li>losses: 4 decimals ({@code 6.6800});</li>
 *   <li>counts: thousands separators ({@code 35,000,000});</li>
 *   <li>u64 values (seeds, ids): unsigned ({@code 18,446,744,073,709,551,615} is never shown as {@code -1});</li>
 *   <li>token amounts: in the mint's units ({@code 150}, {@code 0.000001}), native units only on request;</li>
 *   <li>bytes in B/KiB/MiB/GiB; durations as {@code 350 ms}, {@code 42 s}, {@code 3 min 5 s}, {@code 2 h 4 min};</li>
 *   <li>any other quantity: 4 significant digits, plain between 0.001 and 10^9, scientific outside.</li>
 * </ul>
 */
public final class Numbers {
    private Numbers() {}

    /** A learning rate: {@code 9.00e-04}, {@code 1.00e-03}; zero as {@code 0}. */
    public static String lr(double lr) {
        if (!Double.isFinite(lr)) return nonFinite(lr);
        if (lr == 0) return "0";
        return scientific(lr, 3);
    }

    /** A loss: 4 decimals. */
    public static String loss(double loss) {
        if (!Double.isFinite(loss)) return nonFinite(loss);
        return String.format(Locale.ROOT, "%.4f", loss);
    }

    /** A count, with thousands separators: {@code 35,000,000}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A u64 carried in a Java {@code long} (seeds, nonces), unsigned and grouped. */
    public static String unsigned(long u64) {
        if (u64 >= 0) return count(u64);
        return String.format(Locale.ROOT, "%,d", new java.math.BigInteger(Long.toUnsignedString(u64)));
    }

    /** A u64 without grouping (for ids a user copies). */
    public static String unsignedPlain(long u64) {
        return Long.toUnsignedString(u64);
    }

    /**
     * A token amount given in native units (a u64), shown in the mint's units: {@code 150000000} at 6 decimals is
     * {@code 150}; fractions keep only the digits they have ({@code 0.5}), integer part grouped.
     */
    public static String tokens(long nativeUnits, int decimals) {
        BigDecimal ui = new BigDecimal(Long.toUnsignedString(nativeUnits)).movePointLeft(Math.max(0, decimals));
        return grouped(ui.stripTrailingZeros());
    }

    /** A token amount already in the mint's units (e.g. as typed into {@code topUp(150)}). */
    public static String tokens(double uiAmount) {
        if (!Double.isFinite(uiAmount)) return nonFinite(uiAmount);
        return grouped(BigDecimal.valueOf(uiAmount).stripTrailingZeros());
    }

    /** Bytes in binary units: {@code 512 B}, {@code 1.5 KiB}, {@code 116 KiB}, {@code 2 GiB}. */
    public static String bytes(long bytes) {
        if (bytes < 1024 && bytes > -1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return new BigDecimal(v).round(new java.math.MathContext(3, RoundingMode.HALF_EVEN)).stripTrailingZeros().toPlainString()
                + " " + units[u];
    }

    /** A duration for people: {@code 350 ms}, {@code 4.2 s}, {@code 42 s}, {@code 3 min 5 s}, {@code 2 h 4 min}, {@code 3 d 4 h}. */
    public static String duration(Duration d) {
        boolean negative = d.isNegative();
        Duration a = d.abs();
        String out;
        long ms = a.toMillis();
        if (a.isZero()) out = "0 s";
        else if (ms < 1000) out = ms == 0 ? significant(a.toNanos() / 1e6, 2) + " ms" : ms + " ms";
        else if (ms < 10_000 && ms % 1000 != 0) out = String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        else if (a.toSeconds() < 60) out = a.toSeconds() + " s";
        else if (a.toMinutes() < 60) out = a.toMinutes() + " min" + (a.toSecondsPart() == 0 ? "" : " " + a.toSecondsPart() + " s");
        else if (a.toHours() < 48) out = a.toHours() + " h" + (a.toMinutesPart() == 0 ? "" : " " + a.toMinutesPart() + " min");
        else out = a.toDays() + " d" + (a.toHoursPart() == 0 ? "" : " " + a.toHoursPart() + " h");
        return negative ? "-" + out : out;
    }

    /** Seconds as a human duration. */
    public static String seconds(double seconds) {
        if (!Double.isFinite(seconds)) return nonFinite(seconds);
        return duration(Duration.ofNanos(Math.round(seconds * 1e9)));
    }

    /** A share in [0, 1] as a percentage: {@code 42%}, {@code 0.5%}. */
    public static String percent(double share) {
        if (!Double.isFinite(share)) return nonFinite(share);
        double p = share * 100;
        return (Math.abs(p) >= 10 || p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p) : significant(p, 2)) + "%";
    }

    /**
     * Any other quantity: integers grouped ({@code 1,024}); others with 4 significant digits, plain between 0.001
     * and 10^9 ({@code 0.1235}, {@code 6.909}), scientific outside ({@code 1.235e-05}).
     */
    public static String number(double x) {
        if (!Double.isFinite(x)) return nonFinite(x);
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return count((long) x);
        double a = Math.abs(x);
        if (a < 1e-3 || a >= 1e9) return scientific(x, 4);
        return grouped(new BigDecimal(x).round(new java.math.MathContext(4, RoundingMode.HALF_EVEN)).stripTrailingZeros());
    }

    /** Rate per second of something countable, e.g. {@code 1,234 tokens/s}. */
    public static String rate(double perSecond, String unit) {
        return number(perSecond < 100 ? perSecond : Math.rint(perSecond)) + " " + unit + "/s";
    }

    /**
     * Chart tick labels: SI prefixes from a million ({@code 35M}), grouped plain numbers below ({@code 12,500},
     * {@code 0.25}), and short scientific notation only below 0.01 ({@code 1.0e-03}), never Java's {@code 1.0E-3}.
     */
    public static String tick(double x) {
        if (!Double.isFinite(x)) return nonFinite(x);
        double a = Math.abs(x);
        if (a < 1e-12) return "0";
        if (a < 0.01) {
            // mantissa with the digits neighbouring ticks need (XChart drops all labels of an axis if two are equal)
            int exp = (int) Math.floor(Math.log10(a));
            BigDecimal m = new BigDecimal(x / Math.pow(10, exp)).round(new java.math.MathContext(4, RoundingMode.HALF_EVEN)).stripTrailingZeros();
            String mantissa = m.scale() <= 0 ? m.setScale(1).toPlainString() : m.toPlainString();
            return mantissa + String.format(Locale.ROOT, "e%s%02d", exp < 0 ? "-" : "", Math.abs(exp));
        }
        if (a < 1e6) return grouped(new BigDecimal(x).round(new java.math.MathContext(6, RoundingMode.HALF_EVEN)).stripTrailingZeros());
        String[] si = {"k", "M", "G", "T", "P", "E"};
        double v = x;
        int i = -1;
        while (Math.abs(v) >= 1000 && i < si.length - 1) {
            v /= 1000;
            i++;
        }
        return new BigDecimal(v).round(new java.math.MathContext(6, RoundingMode.HALF_EVEN)).stripTrailingZeros().toPlainString() + si[i];
    }

    /** Applies {@link #tick} to both axes of an XChart XY chart (category axes set their own labels afterwards). */
    public static void ticks(org.knowm.xchart.XYChart chart) {
        chart.setCustomXAxisTickLabelsFormatter(Numbers::tick);
        chart.setCustomYAxisTickLabelsFormatter(Numbers::tick);
    }

    /**
     * The formatter for a column of a table named {@code column}: learning rates ({@code lr}, {@code *_lr},
     * {@code learning_rate}), losses ({@code *loss*}), seconds ({@code *_seconds}, {@code *_s}), byte sizes
     * ({@code *bytes*}), else {@link #number}.
     */
    public static Function<Double, String> forColumn(String column) {
        String n = column.toLowerCase(Locale.ROOT);
        if (n.equals("lr") || n.endsWith("_lr") || n.startsWith("lr_") || n.contains("learning_rate")) return Numbers::lr;
        if (n.contains("loss")) return Numbers::loss;
        if (n.contains("bytes")) return v -> bytes(Math.round(v));
        return Numbers::number;
    }

    private static String scientific(double x, int digits) {
        String s = String.format(Locale.ROOT, "%." + (digits - 1) + "e", x);
        // Java writes e-04 already; keep two exponent digits, drop a leading '+'
        return s.replace("e+", "e");
    }

    private static String significant(double x, int digits) {
        return new BigDecimal(x).round(new java.math.MathContext(digits, RoundingMode.HALF_EVEN)).toPlainString();
    }

    private static String grouped(BigDecimal v) {
        String plain = v.toPlainString();
        boolean negative = plain.startsWith("-");
        if (negative) plain = plain.substring(1);
        int dot = plain.indexOf('.');
        String whole = dot < 0 ? plain : plain.substring(0, dot);
        String frac = dot < 0 ? "" : plain.substring(dot);
        StringBuilder g = new StringBuilder();
        for (int i = 0; i < whole.length(); i++) {
            if (i > 0 && (whole.length() - i) % 3 == 0) g.append(',');
            g.append(whole.charAt(i));
        }
        return (negative ? "-" : "") + g + frac;
    }

    private static String nonFinite(double x) {
        return Double.isNaN(x) ? "NaN" : x > 0 ? "∞" : "-∞";
    }
}
