package psyche.reports;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What produced an executed report: when, from which commit of which project, with which parameters, reading which
 * files (sha256), with which seeds, on which machine and library versions. Written as {@code NAME.provenance.json}
 * beside the report, stored in the notebook's metadata ({@code psyche.provenance}) and shown as its first cell.
 */
public record Provenance(String date, String notebook, String status, String projectVersion, String gitCommit,
                         Boolean gitDirty, Map<String, Object> parameters, List<InputFile> inputs,
                         Map<String, String> seeds, String jvm, String os, String cpu, String device,
                         Map<String, String> versions, Map<String, Double> metrics,
                         Map<String, List<double[]>> series, List<String> historyStores) {

    /** A file the notebook read through the library. */
    public record InputFile(String kind, String path, String sha256, long bytes) {}

    public Provenance {
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        seeds = seeds == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seeds));
        versions = versions == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions));
        metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        series = series == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(series));
        historyStores = historyStores == null ? List.of() : List.copyOf(historyStores);
    }

    /**
     * Collects the provenance of a notebook executed from the project at {@code projectRoot} (git commit, version)
     * with the given parameters and the events its kernel logged; JVM, OS, CPU and library versions are this
     * process's, which runs the same {@code java} and jar as the kernel.
     */
    public static Provenance collect(Path projectRoot, String notebook, String status, Map<String, Object> parameters,
                                     List<ProvenanceLog.Event> events) {
        List<InputFile> inputs = new ArrayList<>();
        Map<String, String> seeds = new LinkedHashMap<>();
        List<String> devices = new ArrayList<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        List<String> stores = new ArrayList<>();
        for (ProvenanceLog.Event e : events) {
            switch (e.type()) {
                case ProvenanceLog.Event.INPUT -> {
                    InputFile f = new InputFile(e.name(), relativize(projectRoot, e.value()), e.sha256(), e.bytes());
                    if (!inputs.contains(f)) inputs.add(f);
                }
                case ProvenanceLog.Event.SEED -> seeds.merge(e.name(), e.value(), (a, b) -> a.equals(b) ? a : a + ", " + b);
                case ProvenanceLog.Event.DEVICE -> { if (!devices.contains(e.value())) devices.add(e.value()); }
                case ProvenanceLog.Event.METRIC -> metrics.put(e.name(), Double.parseDouble(e.value()));
                case ProvenanceLog.Event.POINT -> {
                    String[] xy = e.value().split(",");
                    series.computeIfAbsent(e.name(), k -> new ArrayList<>())
                            .add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
                }
                case ProvenanceLog.Event.HISTORY -> { if (!stores.contains(e.value())) stores.add(e.value()); }
                default -> { }
            }
        }
        String commit = git(projectRoot, "rev-parse", "HEAD");
        String porcelain = commit == null ? null : git(projectRoot, "status", "--porcelain", "--untracked-files=no");
        return new Provenance(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), notebook, status,
                projectVersion(projectRoot), commit, porcelain == null ? null : !porcelain.isBlank(), parameters, inputs, seeds,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                machineCpu(), devices.isEmpty() ? "cpu (no training device recorded)" : String.join(", ", devices), libraryVersions(),
                metrics, series, stores);
    }

    /** The library versions on this class path: DJL, the PyTorch engine, JNI and native library, Tablesaw, XChart, JJava. */
    public static Map<String, String> libraryVersions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("psyche-kernel", pomVersion("psyche", "psyche-kernel"));
        v.put("psyche-lib", pomVersion("psyche", "psyche-lib"));
        v.put("psyche-train", pomVersion("psyche", "psyche-train"));
        v.put("DJL", property("ai/djl/engine/api.properties", "djl_version"));
        v.put("DJL PyTorch engine", property("pytorch-engine.properties", "djl_version"));
        String nativeVersion = property("native/lib/pytorch.properties", "version");
        String flavor = property("native/lib/pytorch.properties", "flavor");
        String classifier = property("native/lib/pytorch.properties", "classifier");
        String env = System.getenv("PYTORCH_VERSION");
        v.put("PyTorch natives", env != null ? env + " " + System.getenv().getOrDefault("PYTORCH_FLAVOR", "")
                + " (PYTORCH_LIBRARY_PATH)" : nativeVersion == null ? null : nativeVersion + " " + flavor + " " + classifier);
        v.put("PyTorch JNI", property("jnilib/pytorch.properties", "jni_version") != null
                ? property("jnilib/pytorch.properties", "jni_version") : property("jnilib/pytorch.properties", "version"));
        v.put("Tablesaw", pomVersion("tech.tablesaw", "tablesaw-core"));
        v.put("XChart", pomVersion("org.knowm.xchart", "xchart"));
        v.put("JJava (kernel base)", pomVersion("org.dflib.jjava", "jjava-jupyter"));
        v.values().removeIf(java.util.Objects::isNull);
        return v;
    }

    // ---- JSON ----

    public String toJson() {
        try {
            return NotebookJson.MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new ReportException("cannot write the provenance as JSON: " + e.getMessage(), e);
        }
    }

    public static Provenance fromJson(String json) {
        try {
            return NotebookJson.MAPPER.readValue(json, Provenance.class);
        } catch (IOException e) {
            throw new ReportException("not a provenance record: " + e.getMessage(), e);
        }
    }

    static Provenance fromJson(JsonNode node) {
        return NotebookJson.MAPPER.convertValue(node, Provenance.class);
    }

    public static Provenance read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new ReportException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path file) {
        try {
            Files.writeString(file, toJson() + "\n");
        } catch (IOException e) {
            throw new ReportException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The card's rows (label, value), the same for the report's card and the side-by-side comparison. */
    public Map<String, String> rows() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("notebook", notebook);
        r.put("status", status);
        r.put("date (UTC)", date);
        r.put("project version", projectVersion);
        r.put("git commit", gitCommit == null ? "(not a git checkout)" : gitCommit + (Boolean.TRUE.equals(gitDirty) ? " (dirty: uncommitted changes)" : " (clean)"));
        parameters.forEach((k, v) -> r.put("parameter " + k, String.valueOf(v)));
        for (InputFile f : inputs) {
            // files outside the project (a run's temporary checkpoint folder) are named by their last two path
            // elements, so the same file of two runs lines up when they are compared
            Path p = Path.of(f.path());
            String name = p.isAbsolute() && p.getNameCount() > 2 ? ".../" + p.subpath(p.getNameCount() - 2, p.getNameCount()) : f.path();
            r.put(f.kind() + " " + name, "sha256 " + f.sha256() + (f.bytes() >= 0 ? " (" + String.format("%,d", f.bytes()) + " bytes)" : ""));
        }
        seeds.forEach((k, v) -> r.put("seed " + k, v));
        metrics.forEach((k, v) -> r.put("metric " + k, Reports.format(v)));
        series.forEach((k, v) -> r.put("series " + k, v.size() + " points" + (v.isEmpty() ? "" : ", last " + Reports.format(v.get(v.size() - 1)[1]))));
        for (String h : historyStores) r.put("history store", h);
        r.put("device", device);
        r.put("JVM", jvm);
        r.put("OS", os);
        r.put("CPU", cpu);
        versions.forEach((k, v) -> r.put(k, v));
        return r;
    }

    /** The card at the top of a report: an HTML table of {@link #rows()}. */
    public String toHtml() {
        StringBuilder sb = new StringBuilder("<details open><summary><b>Provenance</b> — ").append(esc(notebook))
                .append(", ").append(esc(status)).append(", ").append(esc(date)).append("</summary>\n")
                .append("<table class=\"psyche-provenance\">\n");
        rows().forEach((k, v) -> sb.append("<tr><th style=\"text-align:left\">").append(esc(k)).append("</th><td style=\"text-align:left\"><code>")
                .append(esc(v)).append("</code></td></tr>\n"));
        return sb.append("</table></details>").toString();
    }

    static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    // ---- machine and project ----

    private static String relativize(Path root, String path) {
        try {
            Path p = Path.of(path);
            Path r = root.toAbsolutePath().normalize();
            return p.startsWith(r) ? r.relativize(p).toString() : path;
        } catch (RuntimeException e) {
            return path;
        }
    }

    static String git(Path root, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", root.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out.strip() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String projectVersion(Path root) {
        Path pom = root.resolve("pom.xml");
        if (Files.isRegularFile(pom)) {
            try {
                String xml = Files.readString(pom);
                // the project's own version: the first <version> after its <artifactId> (the parent pom has no <parent>)
                Matcher m = Pattern.compile("<artifactId>[^<]+</artifactId>\\s*<version>([^<]+)</version>").matcher(xml);
                if (m.find()) return m.group(1);
            } catch (IOException ignored) {
                // fall through to the jar's version
            }
        }
        return pomVersion("psyche", "psyche-lib");
    }

    private static String machineCpu() {
        String model = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the core count alone
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return (model == null ? System.getProperty("os.arch") : model) + ", " + cores + " cores available";
    }

    private static String pomVersion(String group, String artifact) {
        return property("META-INF/maven/" + group + "/" + artifact + "/pom.properties", "version");
    }

    private static String property(String resource, String key) {
        try (InputStream in = Provenance.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) return null;
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key);
        } catch (IOException e) {
            return null;
        }
    }
}
