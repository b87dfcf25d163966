package psyche.chain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Psyche's {@code FixedString<L>}: {@code [u8; L]}, UTF-8, NUL-padded; the text ends at the first NUL. */
public final class FixedString {
    private FixedString() {}

    public static String decode(byte[] raw) {
        int end = 0;
        while (end < raw.length && raw[end] != 0) end++;
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * Encodes to exactly {@code len} bytes. Psyche's TOML path truncates silently; an encoder that truncated would
     * sign something other than what the caller asked for, so an over-long value is rejected here.
     */
    public static byte[] encode(String s, int len, String field) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > len) {
            throw new IllegalArgumentException(field + " is " + b.length + " bytes of UTF-8, at most " + len
                    + " fit on chain: shorten it");
        }
        return Arrays.copyOf(b, len);
    }
}
