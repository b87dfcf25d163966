package psyche.chain;

import java.util.List;
import java.util.function.Supplier;

/** Matching instruction data to a name by Anchor discriminator, and wrapping argument parse failures. */
final class InstructionNames {
    private InstructionNames() {}

    static String match(byte[] data, List<String> names, String program) {
        if (data == null || data.length < 8) {
            throw new InstructionDecodeException(program + " instruction data has "
                    + (data == null ? "none" : data.length + " bytes") + ", expected an 8-byte discriminator and arguments");
        }
        for (String n : names) if (Borsh.startsWith(data, Discriminators.instruction(n))) return n;
        throw new InstructionDecodeException("discriminator " + Borsh.hex(java.util.Arrays.copyOf(data, 8))
                + " is no " + program + " instruction (known: " + names + ")");
    }

    /** Parses with {@code body} and requires that every byte was consumed. */
    static <T> T parse(String name, Borsh.Reader r, Supplier<T> body) { return parse(name, r, body, true); }

    /**
     * {@code exact}: every byte must be consumed. Anchor's dispatch ({@code AnchorDeserialize::deserialize(&mut
     * &data[..])}) ignores trailing bytes; the local programs parse that way.
     */
    static <T> T parse(String name, Borsh.Reader r, Supplier<T> body, boolean exact) {
        try {
            T value = body.get();
            if (exact) r.expectEnd();
            return value;
        } catch (InstructionDecodeException e) {
            throw e;
        } catch (ChainDecodeException | IllegalArgumentException e) {
            throw new InstructionDecodeException(name + ": " + e.getMessage(), e);
        }
    }
}
