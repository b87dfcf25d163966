package psyche.chain.local;

import java.nio.file.Path;

/**
 * The local chain's ledger on disk is damaged (a checksum, a length or a sequence is wrong, or a file is missing) in a
 * way that is not the torn tail of a crash: the chain refuses to start rather than drop confirmed transactions.
 * The message says what is damaged, where, how many confirmed transactions are involved, and what to do.
 */
public final class LedgerDamagedException extends psyche.PsycheException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;

    LedgerDamagedException(Path file, long offset, String what, String todo) {
        super("the local chain's ledger is damaged: " + what + " (" + file + "). " + todo + ".", todo, null);
        this.file = file;
        this.offset = offset;
    }

    /** The damaged or missing file. */
    public Path file() { return file; }

    /** The byte offset of the damage in {@link #file()}, or -1 when it concerns the whole file. */
    public long offset() { return offset; }
}
