package psyche.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads the small files a user hands us (keypairs, configs, account dumps) only when they are regular files no larger
 * than any valid one: a FIFO would hang the read, {@code /dev/zero} would fill the heap, a huge file is a mistake.
 */
public final class InputFiles {
    /** A Solana keypair file is a JSON array of 64 bytes: at most about 260 characters, with room for white space. */
    public static final long MAX_KEYPAIR_BYTES = 4 * 1024;
    /** A run config or centralized state TOML. */
    public static final long MAX_CONFIG_BYTES = 1 << 20;
    /** An account's data: Solana's 10 MiB limit. */
    public static final long MAX_ACCOUNT_BYTES = 10L << 20;

    private InputFiles() {}

    /** Why a file was not read: the message names the file, what is wrong and the limit. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) { super(message); }
    }

    /**
     * The bytes of {@code path}, a {@code what} (e.g. "keypair file"), when it is a regular file of at most
     * {@code maxBytes}; checked before anything is read.
     */
    public static byte[] read(Path path, long maxBytes, String what) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        if (a.isDirectory()) throw new Refused(what + " " + path + " is a directory, not a file");
        if (!a.isRegularFile()) {
            throw new Refused(what + " " + path + " is not a regular file (a pipe, socket or device): refused, "
                    + "as reading it could hang or never end; save the content to a file and pass that");
        }
        if (a.size() > maxBytes) {
            throw new Refused(what + " " + path + " is " + a.size() + " bytes, more than any valid one (at most "
                    + maxBytes + "): is it the right file?");
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes((int) maxBytes + 1);
            if (bytes.length > maxBytes) throw new Refused(what + " " + path + " grew past " + maxBytes + " bytes while read");
            return bytes;
        }
    }
}
