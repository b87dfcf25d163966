package psyche.chain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import psyche.coordinator.Hashing;

/** Anchor discriminators: the first 8 bytes of sha256("global:&lt;ix&gt;") or sha256("account:&lt;Type&gt;"). */
public final class Discriminators {
    private Discriminators() {}

    public static byte[] instruction(String name) { return Arrays.copyOf(sha256("global:" + name), 8); }

    public static byte[] account(String typeName) { return Arrays.copyOf(sha256("account:" + typeName), 8); }

    private static byte[] sha256(String text) { return Hashing.sha256(text.getBytes(StandardCharsets.UTF_8)); }
}
