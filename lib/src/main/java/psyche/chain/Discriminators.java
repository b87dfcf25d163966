package psyche.chain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** Anchor discriminators: the first 8 bytes of sha256("global:&lt;ix&gt;") or sha256("account:&lt;Type&gt;"). */
public final class Discriminators {
    private Discriminators() {}

    public static byte[] instruction(String name) { return Arrays.copyOf(sha256("global:" + name), 8); }

    public static byte[] account(String typeName) { return Arrays.copyOf(sha256("account:" + typeName), 8); }

    static byte[] sha256(String text) { return sha256(text.getBytes(StandardCharsets.UTF_8)); }

    public static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) md.update(p);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
