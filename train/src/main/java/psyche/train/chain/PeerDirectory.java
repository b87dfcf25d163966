package psyche.train.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import psyche.train.TrainingException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The rendezvous directory through which the chain-training sessions of one run on this machine find each other's
 * results servers without flags: each serving session writes {@code <base>/<run id>/<client pubkey>.json} =
 * {@code {"url", "pid", "client", "account"}} (its first client's signer, the run's coordinator account) and removes
 * it on {@link #close}. Readers skip entries whose process is gone (and delete them, since nobody else will) and
 * malformed files; whether a live entry's server answers, and for this very run, is for the caller to probe.
 *
 * <p>Psyche's clients find each other through iroh discovery on a gossip topic of the run id; a directory keyed by run
 * id is the same idea for processes that share a file system. The coordinator account in the entry tells apart two
 * runs of the same id on different chains (each create-run makes a fresh account).
 */
public final class PeerDirectory implements AutoCloseable {
    /** One session's entry. */
    public record Entry(URI url, long pid, String client, String account) {
        public Entry {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(account, "account");
        }
    }

    /** At most this many entries are read from a directory (a bound on each scan). */
    static final int MAX_ENTRIES = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private volatile Path own;

    /** The directory of {@code runId} under {@code base} (created when an entry is first written). */
    public PeerDirectory(Path base, String runId) {
        this.dir = Objects.requireNonNull(base, "base").resolve(safeName(runId));
    }

    /** {@code $XDG_DATA_HOME/psyche/peers}, else {@code ~/.local/share/psyche/peers}. */
    public static Path defaultBase() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path data = xdg != null && !xdg.isBlank() ? Path.of(xdg) : psyche.UserHome.dir().resolve(Path.of(".local", "share"));
        return data.resolve("psyche").resolve("peers");
    }

    /** A run id as one path element: characters other than letters, digits, '.', '_' and '-' become '_'. */
    static String safeName(String runId) {
        String s = runId.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }

    public Path dir() { return dir; }

    /** Writes this session's entry (atomically: other readers never see half a file). */
    public void register(Entry entry) {
        Path file = dir.resolve(safeName(entry.client()) + ".json");
        ObjectNode json = JSON.createObjectNode().put("url", entry.url().toString()).put("pid", entry.pid())
                .put("client", entry.client()).put("account", entry.account());
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".entry", ".tmp");
            try {
                Files.writeString(tmp, JSON.writeValueAsString(json));
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new TrainingException("cannot register this session's results server in " + dir + ": " + e.getMessage()
                    + "; choose another directory (--peers-dir / optPeersDir) or turn discovery off", e);
        }
        own = file;
    }

    /**
     * The entries of live processes, own entry excluded (at most {@value #MAX_ENTRIES} files are read). Entries of
     * processes that are gone are deleted; unreadable or malformed ones are skipped.
     */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        int read = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                if (read++ >= MAX_ENTRIES) break;
                if (f.equals(own)) continue;
                Optional<Entry> e = read(f);
                if (e.isEmpty()) continue;
                if (!alive(e.get().pid())) {
                    try {
                        Files.deleteIfExists(f); // its process is gone: nobody else will remove it
                    } catch (IOException ignored) {
                        // another reader removed it first, or the directory is read-only: skipping it is enough
                    }
                    continue;
                }
                out.add(e.get());
            }
        } catch (IOException e) {
            return out; // an unreadable directory has no peers to offer
        }
        return out;
    }

    private static Optional<Entry> read(Path f) {
        try {
            JsonNode n = JSON.readTree(Files.readString(f));
            String url = n.path("url").asText("");
            if (!n.path("pid").canConvertToLong() || url.isEmpty()) return Optional.empty();
            URI uri = URI.create(url);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) return Optional.empty();
            return Optional.of(new Entry(uri, n.path("pid").asLong(), n.path("client").asText(""),
                    n.path("account").asText("")));
        } catch (IOException | RuntimeException malformed) {
            return Optional.empty(); // half-written by a crashed process, or not ours
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Removes this session's entry. */
    @Override public void close() {
        Path f = own;
        own = null;
        if (f == null) return;
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // left behind: readers skip it once this process is gone
        }
    }

    @Override public String toString() { return "PeerDirectory[" + dir + "]"; }
}
