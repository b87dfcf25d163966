package psyche.reports;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * What this process read and chose, for a report's provenance: every input file the library reads (configs, datasets,
 * tokenizers, checkpoints) with its sha256, the seeds it was given and the device it trained on. The library calls
 * {@link #input}, {@link #seed} and {@link #device} where it reads or decides; nothing here changes what it does.
 *
 * <p>Kept in memory ({@link #events()}) and, when the environment variable {@value #ENV} (or the system property
 * {@code psyche.provenance.log}) names a file, appended to it as JSON lines: that is how a notebook kernel started by
 * {@code bin/psyche-notebook --execute} hands its inputs to the report.
 */
public final class ProvenanceLog {
    public static final String ENV = "PSYCHE_PROVENANCE_LOG";

    /** One thing recorded: an input file (kind, path, sha256, bytes), a seed (name, value) or the device. */
    public record Event(String type, String name, String value, String sha256, long bytes) {
        public static final String INPUT = "input";
        public static final String SEED = "seed";
        public static final String DEVICE = "device";
        public static final String METRIC = "metric";
        public static final String POINT = "point";
        public static final String HISTORY = "history";
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Event> EVENTS = new CopyOnWriteArrayList<>();
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>(); // path|size|mtime -> sha256

    private ProvenanceLog() {}

    /**
     * Records an input file, or every regular file under a directory. {@code kind}: config, dataset, tokenizer,
     * checkpoint, ... Never throws: a file it cannot hash is recorded with the reason instead of a hash.
     */
    public static void input(String kind, Path path) {
        if (path == null) return;
        Path abs = path.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            try (Stream<Path> files = Files.walk(abs)) {
                files.filter(Files::isRegularFile).sorted().forEach(f -> input(kind, f));
            } catch (IOException | RuntimeException e) {
                add(new Event(Event.INPUT, kind, abs.toString(), "unreadable: " + e.getMessage(), -1));
            }
            return;
        }
        long bytes = -1;
        String sha;
        try {
            bytes = Files.size(abs);
            String key = abs + "|" + bytes + "|" + Files.getLastModifiedTime(abs).toMillis();
            sha = HASHES.get(key);
            if (sha == null) {
                sha = sha256(abs);
                HASHES.put(key, sha);
            }
        } catch (IOException | RuntimeException e) {
            sha = "unreadable: " + e.getMessage();
        }
        Event e = new Event(Event.INPUT, kind, abs.toString(), sha, bytes);
        add(e);
    }

    /** Records a seed the computation used ({@code name}: what it seeds, e.g. "ChainTraining.initial_weights"). */
    public static void seed(String name, long value) {
        Event e = new Event(Event.SEED, name, Long.toString(value), null, 0);
        add(e);
    }

    /** Records the device a computation ran on (e.g. "cpu", "gpu(0)"). */
    public static void device(String description) {
        Event e = new Event(Event.DEVICE, "device", description, null, 0);
        add(e);
    }

    /** Records a result metric (final loss, bytes per step): compared across runs and checked on re-runs. */
    public static void metric(String name, double value) {
        add(new Event(Event.METRIC, name, Double.toString(value), null, 0));
    }

    /** Records one point of a named series (loss by step): drawn as overlay curves when runs are compared. */
    public static void point(String series, double x, double y) {
        add(new Event(Event.POINT, series, x + "," + y, null, 0));
    }

    /** Records a run-history store (SQLite) the notebook wrote: compared runs read their rounds from it. */
    public static void historyStore(Path file) {
        if (file == null) return;
        Event e = new Event(Event.HISTORY, "history", file.toAbsolutePath().normalize().toString(), null, 0);
        add(e);
    }

    /** Everything recorded in this process, in order. */
    public static List<Event> events() {
        return List.copyOf(EVENTS);
    }

    /** Reads a log file written by another process (a kernel); a missing file is an empty log. */
    public static List<Event> read(Path logFile) {
        if (logFile == null || !Files.exists(logFile)) return List.of();
        List<Event> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                Event e = JSON.readValue(line, Event.class);
                if (!out.contains(e)) out.add(e);
            }
        } catch (IOException e) {
            throw new ReportException("cannot read the provenance log " + logFile + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The sha256 of a file's bytes, as {@code sha256sum} prints it. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Kept once in memory; appended to the log file every time (a new log file must not miss what was read before). */
    private static void add(Event e) {
        boolean repeatable = e.type().equals(Event.POINT) || e.type().equals(Event.METRIC);
        if (repeatable || !EVENTS.contains(e)) EVENTS.add(e);
        String target = System.getProperty("psyche.provenance.log", System.getenv(ENV));
        if (target == null || target.isBlank()) return;
        try {
            synchronized (ProvenanceLog.class) {
                Files.writeString(Path.of(target), JSON.writeValueAsString(e) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            }
        } catch (IOException | RuntimeException ignored) {
            // provenance is a record of the work, never a reason for the work to fail; the report says what is missing
        }
    }
}
