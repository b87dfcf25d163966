package psyche.chain;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
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
            raw = Files.readAllBytes(path);
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

    public static boolean verify(Pubkey key, byte[] message, byte[] signature) {
        if (signature == null || signature.length != 64) return false;
        Ed25519Signer v = new Ed25519Signer();
        v.init(false, new Ed25519PublicKeyParameters(key.bytes(), 0));
        v.update(message, 0, message.length);
        return v.verifySignature(signature);
    }

    /** Writes the Solana CLI JSON form, readable by the owner only where the file system allows. */
    public void save(Path path) {
        if (closed) throw new IllegalStateException("keypair " + publicKey + " is closed");
        StringBuilder sb = new StringBuilder("[");
        byte[] pub = publicKey.bytes();
        for (int i = 0; i < 64; i++) {
            if (i > 0) sb.append(',');
            sb.append((i < 32 ? seed[i] : pub[i - 32]) & 0xff);
        }
        sb.append(']');
        try {
            if (path.getParent() != null) Files.createDirectories(path.getParent());
            Files.writeString(path, sb);
            try {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: nothing more to restrict
            }
        } catch (IOException e) {
            throw new KeypairException("cannot write keypair file " + path + " (" + e.getClass().getSimpleName() + ")");
        } finally {
            sb.setLength(0);
        }
    }

    /** Zeroes the secret; signing afterwards fails. */
    @Override public void close() {
        Arrays.fill(seed, (byte) 0);
        closed = true;
    }

    @Override public String toString() { return "Keypair[" + publicKey + "]"; }
}
