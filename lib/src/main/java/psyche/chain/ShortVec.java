package psyche.chain;

import java.io.ByteArrayOutputStream;

/** Solana's compact-u16 (the one writer and reader for both the RPC client and the local chain) ("shortvec") length: 7 bits per byte, low bits first, high bit = more; at most 3 bytes. */
public final class ShortVec {
    private ShortVec() {}

    public static void write(ByteArrayOutputStream out, int value) {
        if (value < 0 || value > 0xffff) throw new IllegalArgumentException("compact-u16 holds 0..65535, got " + value);
        int v = value;
        while (true) {
            int b = v & 0x7f;
            v >>>= 7;
            if (v == 0) { out.write(b); return; }
            out.write(b | 0x80);
        }
    }

    /** How many bytes {@link #write} takes for {@code value}: 1, 2 or 3. */
    public static int size(int value) {
        if (value < 0 || value > 0xffff) throw new IllegalArgumentException("compact-u16 holds 0..65535, got " + value);
        return value < 0x80 ? 1 : value < 0x4000 ? 2 : 3;
    }

    /** Reads a canonical compact-u16 at {@code pos[0]}, advancing it. */
    public static int read(byte[] data, int[] pos, String what) {
        int value = 0;
        for (int i = 0; i < 3; i++) {
            if (pos[0] >= data.length) {
                throw new ChainDecodeException("transaction ends inside " + what + " (at byte " + pos[0] + " of " + data.length + ")");
            }
            int b = data[pos[0]++] & 0xff;
            value |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                // Solana rejects aliases (a trailing zero byte) and values above u16, so do we
                if (value > 0xffff || (i > 0 && b == 0)) break;
                return value;
            }
        }
        throw new ChainDecodeException(what + ": malformed compact-u16 ending at offset " + pos[0]);
    }
}
