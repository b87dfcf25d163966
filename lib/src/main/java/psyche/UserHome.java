package psyche;

import java.nio.file.Path;

/**
 * The user's home folder as the shell knows it: {@code $HOME} when set (a changed HOME, a container, a test), else
 * Java's {@code user.home} (which the JVM reads from the password database and which ignores {@code $HOME}).
 */
public final class UserHome {
    private UserHome() {}

    public static Path dir() {
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    /** {@code ~} and {@code ~/...} expanded against {@link #dir()}; other paths unchanged. */
    public static Path expand(String path) {
        if (path.equals("~")) return dir();
        if (path.startsWith("~/")) return dir().resolve(path.substring(2));
        return Path.of(path);
    }
}
