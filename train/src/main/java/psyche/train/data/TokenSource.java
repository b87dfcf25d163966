package psyche.train.data;

import java.util.List;

/** Files of raw tokens, wherever they live: their sizes and byte ranges of them. */
public interface TokenSource extends AutoCloseable {
    /** A name for messages (directory or URL). */
    String describe();

    /** Size in bytes of each file, in the order sequences are numbered. */
    List<Long> fileSizes();

    /** {@code length} bytes of file {@code file} from {@code offset}; exactly that many or an exception. */
    byte[] read(int file, long offset, int length);

    @Override default void close() {}
}
