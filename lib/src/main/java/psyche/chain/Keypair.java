package psyche.chain;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import psyche.coordinator.Pubkey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * An ed25519 signing key. Its secret is held only here, is zeroed by {@link #close()}, and never appears in
 * {@link #toString()}, exception messages or logs. Formats: Solana CLI JSON (a 64-number array: 32-byte seed then
 * public key), base58 of those 64 bytes, or either one in env {@code RAW_WALLET_PRIVATE_KEY}.
 */
public final class Keypair implements AutoCloseable {
    public static final String ENV_RAW_KEY = "RAW_WALLET_PRIVATE_KEY";

    private final byte[] seed;
    private final Pubkey publicKey;
    private boolean closed;

    private Keypair(byte[] seed) {
        this.seed = seed;
        this.publicKey = Pubkey.of(new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded());
    }

    public static Keypair generate() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return new Keypair(seed);
    }

    /** From a 32-byte seed (copied). */
    public static Keypair fromSeed(byte[] seed) {
        if (seed == null || seed.length != 32) throw new KeypairException("an ed25519 seed is 32 bytes, got "
                + (seed == null ? "none" : seed.length));
        return new Keypair(seed.clone());
    }

    /** From Solana's 64-byte form (seed ‖ public key); the public half must match the seed. */
    public static Keypair fromSecretKey(byte[] secret) {
        if (secret == null || secret.length != 64) throw new KeypairException("a Solana secret key is 64 bytes, got "
                + (secret == null ? "none" : secret.length));
        Keypair k = new Keypair(Arrays.copyOf(secret, 32));
        if (!Arrays.equals(k.publicKey.bytes(), Arrays.copyOfRange(secret, 32, 64))) {
            k.close();
            throw new KeypairException("the secret key's public half does not match its seed: the key is corrupt");
        }
        return k;
    }

    /** Parses the text of a keypair: a JSON array of 64 numbers, or base58 of 64 bytes. */
    public static Keypair parse(String text, String source) {
        String t = text.trim();
        byte[] secret = new byte[0];
        try {
            if (t.startsWith("[")) {
                String[] parts = t.substring(1, t.endsWith("]") ? t.length() - 1 : t.length()).split(",");
                secret = new byte[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    int v = Integer.parseInt(parts[i].trim());
                    if (v < 0 || v > 255) throw new KeypairException(source + ": keypair JSON holds a number outside 0..255");
                    secret[i] = (byte) v;
                }
            } else {
                secret = Pubkey.base58Decode(t);
            }
            return fromSecretKey(secret);
        } catch (NumberFormatException e) {
            throw new KeypairException(source + ": not a JSON array of numbers (Solana CLI keypair format)");
        } catch (KeypairException e) {
            throw new KeypairException(e.getMessage().startsWith(source) ? e.getMessage() : source + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new KeypairException(source + ": neither a JSON byte array nor base58");
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Reads a Solana CLI keypair file. */
    public static Keypair load(Path path) {
        byte[] raw;
        try {
            raw = psyche.config.InputFiles.read(path, psyche.config.InputFiles.MAX_KEYPAIR_BYTES, "keypair file");
        } catch (psyche.config.InputFiles.Refused e) {
            throw new KeypairException(e.getMessage());
        } catch (IOException e) {
            throw new KeypairException("cannot read keypair file " + path + " (" + e.getClass().getSimpleName()
                    + "): create one with `run-manager keygen new -o " + path + "` or pass another path");
        }
        try {
            return parse(new String(raw, StandardCharsets.UTF_8), "keypair file " + path);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** {@code ~/.config/solana/id.json}, the Solana CLI default. */
    public static Path defaultPath() {
        return psyche.UserHome.dir().resolve(Path.of(".config", "solana", "id.json")); // $HOME, as the Solana CLI reads it
    }

    /**
     * The wallet run-manager would use: env {@code RAW_WALLET_PRIVATE_KEY} if set, else {@code path}, else the
     * default path.
     */
    public static Keypair resolve(Optional<Path> path, Map<String, String> env) {
        String raw = env.get(ENV_RAW_KEY);
        if (raw != null && !raw.isBlank()) return parse(raw, "env " + ENV_RAW_KEY);
        return load(path.orElse(defaultPath()));
    }

    /** The public key in a keypair file, without keeping the secret. */
    public static Pubkey publicKeyOf(Path path) {
        try (Keypair k = load(path)) {
            return k.publicKey();
        }
    }

    public Pubkey publicKey() { return publicKey; }

    public byte[] sign(byte[] message) {
        if (closed) throw new IllegalStateException("keypair " + publicKey + " is closed");
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(seed, 0));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** Whether {@code signature} is {@code key}'s over {@code message} ({@link Ed25519#verify}). */
    public static boolean verify(Pubkey key, byte[] message, byte[] signature) { return Ed25519.verify(key, message, signature); }

    /**
     * Writes the Solana CLI JSON form, readable by the owner only from its first byte: a new temporary file is created
     * with mode 0600 (where the file system has POSIX permissions), written, fsynced, then renamed into place, so no
     * other user can ever open a readable copy. An existing file at {@code path} is replaced.
     */
    public void save(Path path) {
        if (closed) throw new IllegalStateException("keypair " + publicKey + " is closed");
        byte[] json = new byte[64 * 4 + 2];
        int n = 0;
        json[n++] = '[';
        byte[] pub = publicKey.bytes();
        for (int i = 0; i < 64; i++) {
            if (i > 0) json[n++] = ',';
            int v = (i < 32 ? seed[i] : pub[i - 32]) & 0xff;
            if (v >= 100) json[n++] = (byte) ('0' + v / 100);
            if (v >= 10) json[n++] = (byte) ('0' + v / 10 % 10);
            json[n++] = (byte) ('0' + v % 10);
        }
        json[n++] = ']';
        Path absolute = path.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = dir.resolve("." + absolute.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
            java.util.Set<java.nio.file.OpenOption> options = java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            try (java.nio.channels.FileChannel channel = openOwnerOnly(tmp, options)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(json, 0, n);
                while (buffer.hasRemaining()) channel.write(buffer);
                channel.force(true);
            }
            try {
                Files.move(tmp, absolute, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException notADirectoryChannel) {
                // some file systems cannot sync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new KeypairException("cannot write keypair file " + path + " (" + e.getClass().getSimpleName() + ")");
        } finally {
            Arrays.fill(json, (byte) 0);
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: it is owner-only
                }
            }
        }
    }

    /** Creates {@code file} with mode 0600 from the start (no POSIX modes on this file system: its defaults). */
    public static java.nio.channels.FileChannel openOwnerOnly(Path file, java.util.Set<? extends java.nio.file.OpenOption> options)
            throws IOException {
        try {
            return java.nio.channels.FileChannel.open(file, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return java.nio.channels.FileChannel.open(file, options);
        }
    }

    /** Zeroes the secret; signing afterwards fails. */
    @Override public void close() {
        Arrays.fill(seed, (byte) 0);
        closed = true;
    }

    @Override public String toString() { return "Keypair[" + publicKey + "]"; }
}
