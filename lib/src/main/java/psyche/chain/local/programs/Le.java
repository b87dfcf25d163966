package psyche.chain.local.programs;

import psyche.chain.local.InstructionError;
import psyche.chain.local.ProgramFailure;

/** Little-endian reads and writes for instruction data and account layouts; short input is invalid instruction data. */
final class Le {
    private Le() {}

    static void need(byte[] data, int length) {
        if (data.length < length) {
            throw new ProgramFailure(InstructionError.INVALID_INSTRUCTION_DATA, "need " + length + " bytes, got " + data.length);
        }
    }

    static long u64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xffL);
        return v;
    }

    static int u32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static void putU64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) b[off + i] = (byte) (v >>> (8 * i));
    }

    static void putU32(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) b[off + i] = (byte) (v >>> (8 * i));
    }
}
