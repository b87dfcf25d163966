package psyche.chain;

import java.util.Map;

/** An Anchor instruction's data: the 8-byte discriminator sha256("global:NAME")[0..8], then the Borsh arguments. */
public interface AnchorIx {
    String name();

    void writeArgs(Borsh.Writer w);

    /** The arguments by name, for inspection before signing. */
    Map<String, Object> args();

    default byte[] data() {
        Borsh.Writer w = new Borsh.Writer().raw(Discriminators.instruction(name()));
        writeArgs(w);
        return w.toByteArray();
    }
}
