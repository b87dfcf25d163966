package psyche.chain;

import psyche.coordinator.Pubkey;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Borsh, the serialization of Anchor instruction arguments and accounts: little-endian integers, bool as one byte,
 * {@code Option} = u8 tag + value, {@code String}/{@code Vec} = u32 length + items, enums = u8 variant index +
 * payload. Psyche's {@code FixedString<L>} is L raw bytes, NUL-padded.
 */
public final class Borsh {
    private Borsh() {}

    /** A growing little-endian buffer. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Writer u8(int v) { out.write(v & 0xff); return this; }
        public Writer bool(boolean v) { return u8(v ? 1 : 0); }
        public Writer u16(int v) { u8(v); return u8(v >>> 8); }
        public Writer u32(long v) { for (int i = 0; i < 4; i++) u8((int) (v >>> (8 * i))); return this; }
        public Writer u64(long v) { for (int i = 0; i < 8; i++) u8((int) (v >>> (8 * i))); return this; }
        public Writer i32(int v) { return u32(v); }
        public Writer i64(long v) { return u64(v); }
        public Writer f32(float v) { return u32(Float.floatToRawIntBits(v)); }
        public Writer f64(double v) { return u64(Double.doubleToRawLongBits(v)); }
        public Writer raw(byte[] bytes) { out.write(bytes, 0, bytes.length); return this; }
        public Writer pubkey(Pubkey key) { return raw(key.bytes()); }

        /** Borsh {@code String}: u32 byte length + UTF-8. */
        public Writer string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u32(b.length);
            return raw(b);
        }

        /** Borsh {@code Vec<u8>}. */
        public Writer bytes(byte[] b) { u32(b.length); return raw(b); }

        /** Psyche {@code FixedString<len>}: exactly {@code len} bytes, NUL-padded. */
        public Writer fixedString(String s, int len, String field) { return raw(FixedString.encode(s, len, field)); }

        public <T> Writer option(Optional<T> value, java.util.function.BiConsumer<Writer, T> item) {
            if (value.isEmpty()) return u8(0);
            u8(1);
            item.accept(this, value.get());
            return this;
        }

        public <T> Writer vec(List<T> items, java.util.function.BiConsumer<Writer, T> item) {
            u32(items.size());
            for (T t : items) item.accept(this, t);
            return this;
        }

        public int size() { return out.size(); }
        public byte[] toByteArray() { return out.toByteArray(); }
    }

    /** A bounds-checked little-endian cursor; every failure is a {@link ChainDecodeException} naming the offset. */
    public static final class Reader {
        private final ByteBuffer buf;
        private final String what;
        private boolean rawFixedStrings;

        /**
         * Reads FixedString fields as the programs do: raw bytes, no UTF-8 requirement ([u8; L] in Borsh). Text that
         * is not UTF-8 becomes a lossy string (as Psyche's serde does), cut to fit L bytes.
         */
        public Reader rawFixedStrings() { this.rawFixedStrings = true; return this; }

        public Reader(byte[] data, String what) { this(data, 0, what); }

        public Reader(byte[] data, int offset, String what) {
            this.buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            this.what = what;
            if (offset > data.length) throw fail("starts at " + offset + " beyond its " + data.length + " bytes");
            buf.position(offset);
        }

        private ChainDecodeException fail(String detail) { return new ChainDecodeException(what + ": " + detail); }

        private void need(int n, String field) {
            if (buf.remaining() < n) {
                throw fail("truncated reading " + field + " at offset " + buf.position() + ": needs " + n
                        + " bytes, " + buf.remaining() + " left");
            }
        }

        public int position() { return buf.position(); }
        public int remaining() { return buf.remaining(); }

        public int u8(String f) { need(1, f); return buf.get() & 0xff; }
        public boolean bool(String f) {
            int v = u8(f);
            if (v > 1) throw fail(f + " is a bool but holds " + v + " at offset " + (buf.position() - 1));
            return v == 1;
        }
        public int u16(String f) { need(2, f); return buf.getShort() & 0xffff; }
        public long u32(String f) { need(4, f); return buf.getInt() & 0xffffffffL; }
        public int i32(String f) { need(4, f); return buf.getInt(); }
        public long u64(String f) { need(8, f); return buf.getLong(); }
        public long i64(String f) { return u64(f); }
        public float f32(String f) { need(4, f); return buf.getFloat(); }
        public double f64(String f) { need(8, f); return buf.getDouble(); }
        public byte[] raw(int n, String f) { need(n, f); byte[] b = new byte[n]; buf.get(b); return b; }
        public Pubkey pubkey(String f) { return Pubkey.of(raw(32, f)); }
        public String fixedString(int len, String f) {
            int at = buf.position();
            byte[] raw = raw(len, f);
            int end = 0;
            while (end < raw.length && raw[end] != 0) end++;
            if (rawFixedStrings) {
                String lossy = new String(raw, 0, end, StandardCharsets.UTF_8);
                while (lossy.getBytes(StandardCharsets.UTF_8).length > len) lossy = lossy.substring(0, lossy.length() - 1);
                return lossy;
            }
            return utf8(raw, end, f, at);
        }

        /** u32 length, then that many bytes; a length beyond the data is a decode error, never an allocation. */
        public byte[] bytes(String f) {
            long n = u32(f + " length");
            if (n > buf.remaining()) throw fail(f + " claims " + n + " bytes, only " + buf.remaining() + " left");
            return raw((int) n, f);
        }

        public String string(String f) {
            int at = buf.position() + 4;
            byte[] b = bytes(f);
            return utf8(b, b.length, f, at);
        }

        /**
         * Strict UTF-8: a program reading these bytes would see other text than a lossy decoder, and the value would
         * not encode back to them.
         */
        private String utf8(byte[] b, int len, String f, int at) {
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b, 0, len)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw fail(f + " is not valid UTF-8 (at offset " + at + ")");
            }
        }

        public <T> Optional<T> option(String f, Function<Reader, T> item) {
            int tag = u8(f + " option tag");
            if (tag == 0) return Optional.empty();
            if (tag != 1) throw fail(f + " option tag is " + tag + ", expected 0 or 1");
            return Optional.of(item.apply(this));
        }

        public <T> List<T> vec(String f, int minItemBytes, Function<Reader, T> item) {
            long n = u32(f + " length");
            if (n * Math.max(1, minItemBytes) > buf.remaining()) {
                throw fail(f + " claims " + n + " items, only " + buf.remaining() + " bytes left");
            }
            List<T> out = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) out.add(item.apply(this));
            return out;
        }

        /** Variant index, checked against the number of variants. */
        public int variant(String f, int count) {
            int tag = u8(f + " variant");
            if (tag >= count) throw fail(f + " variant " + tag + " out of range (0.." + (count - 1) + ")");
            return tag;
        }

        /** Fails unless every byte was consumed (instruction data must be exact). */
        public void expectEnd() {
            if (buf.remaining() != 0) throw fail(buf.remaining() + " unexpected trailing bytes at offset " + buf.position());
        }
    }

    public static String hex(byte[] b) { return java.util.HexFormat.of().formatHex(b); }

    public static byte[] unhex(String s) { return java.util.HexFormat.of().parseHex(s.replaceAll("[\\s_]", "")); }

    static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }
}
