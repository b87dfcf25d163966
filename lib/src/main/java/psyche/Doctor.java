package psyche;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import psyche.chain.Keypair;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.RpcClient;

/**
 * What a bug report needs, in one text (the workbench's counterpart of DJL's {@code Engine.debugEnvironment()}):
 * versions, PyTorch natives, Jupyter and our kernelspec, the local ledger, the wallet's public key (never a secret),
 * whether the RPC endpoint answers, and the device. Every probe is bounded in time and reports its own failure
 * instead of throwing. {@code Psyche.doctor()} prints it; {@code run-manager doctor} too.
 */
public final class Doctor {
    private Doctor() {}

    /** The workbench's version (the run-manager's {@code --version} says the same). */
    public static final String VERSION = "0.1.0";
    static final String KERNEL_NAME = "psyche";

    /** What to look at: an RPC URL or moniker, a keypair file (null: the default one), a ledger directory, the environment. */
    public record Options(String rpc, Path wallet, Path ledgerDir, Map<String, String> env) {
        public Options {
            Objects.requireNonNull(rpc, "rpc");
            Objects.requireNonNull(ledgerDir, "ledgerDir");
            env = Map.copyOf(env);
        }

        /** RPC from env {@code RPC} (else the local chain), the default wallet and ledger, this process's environment. */
        public static Options defaults() {
            Map<String, String> env = System.getenv();
            String rpc = env.getOrDefault("RPC", "http://127.0.0.1:" + LocalChain.DEFAULT_RPC_PORT);
            String ledger = env.get("PSYCHE_LEDGER");
            return new Options(rpc, null, ledger != null && !ledger.isBlank() ? Path.of(ledger) : LocalChain.defaultLedgerDir(), env);
        }

        public Options withRpc(String url) { return new Options(url, wallet, ledgerDir, env); }
        public Options withWallet(Path file) { return new Options(rpc, file, ledgerDir, env); }
        public Options withLedgerDir(Path dir) { return new Options(rpc, wallet, dir, env); }
    }

    /** One line of the report: a section, what was looked at, what was found. */
    public record Finding(String section, String item, String value) {}

    /** The findings, rendered for people by {@link #toString()}. */
    public record Report(List<Finding> findings) {
        public Report { findings = List.copyOf(findings); }

        /** The value found for {@code item} in {@code section}, or null. */
        public String value(String section, String item) {
            return findings.stream().filter(f -> f.section.equals(section) && f.item.equals(item)).map(Finding::value)
                    .findFirst().orElse(null);
        }

        @Override public String toString() {
            StringBuilder out = new StringBuilder("psyche doctor: paste this into a bug report (it holds no secret)\n");
            String section = null;
            for (Finding f : findings) {
                if (!f.section.equals(section)) {
                    section = f.section;
                    out.append('\n').append(section).append('\n');
                }
                out.append(String.format("  %-22s %s%n", f.item, f.value));
            }
            return out.toString();
        }
    }

    /** Looks at everything in {@code options}; never throws for what it finds broken. */
    public static Report report(Options options) {
        List<Finding> out = new ArrayList<>();
        versions(out);
        natives(out);
        jupyter(out);
        ledger(out, options.ledgerDir());
        wallet(out, options);
        rpc(out, options.rpc());
        device(out, options.env());
        return new Report(out);
    }

    private static void versions(List<Finding> out) {
        String s = "versions";
        out.add(new Finding(s, "psyche-workbench", VERSION));
        out.add(new Finding(s, "java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")"));
        out.add(new Finding(s, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch")));
        out.add(new Finding(s, "bouncycastle", jarVersion("org.bouncycastle.math.ec.rfc8032.Ed25519")));
        out.add(new Finding(s, "jackson", jarVersion("com.fasterxml.jackson.databind.ObjectMapper")));
        out.add(new Finding(s, "picocli", jarVersion("picocli.CommandLine")));
        out.add(new Finding(s, "tomlj", jarVersion("org.tomlj.Toml")));
        out.add(new Finding(s, "tablesaw", jarVersion("tech.tablesaw.api.Table")));
        out.add(new Finding(s, "xchart", jarVersion("org.knowm.xchart.XYChart")));
        // the training module (its own Maven module) brings DJL and the natives; looked up by name, never linked
        String train = jarVersion("psyche.train.Training");
        out.add(new Finding(s, "psyche-train", train.equals("not on the classpath")
                ? "not on the classpath: the run-owner CLI without training (bin/run-manager train brings it)" : train));
        out.add(new Finding(s, "djl", jarVersion("ai.djl.engine.Engine")));
        out.add(new Finding(s, "djl pytorch engine", jarVersion("ai.djl.pytorch.engine.PtEngine")));
    }

    /** The version in the jar's file name (Maven's artifact-version.jar) or its manifest; "not on the classpath". */
    static String jarVersion(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, false, Doctor.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "not on the classpath";
        }
        String manifest = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
        try {
            URL where = type.getProtectionDomain().getCodeSource().getLocation();
            String file = Path.of(where.toURI()).getFileName().toString();
            if (file.endsWith(".jar")) return file.substring(0, file.length() - 4) + (manifest != null ? " (" + manifest + ")" : "");
            return manifest != null ? manifest : "classes in " + where;
        } catch (Exception unknownSource) {
            return manifest != null ? manifest : "present (version unknown)";
        }
    }

    private static void natives(List<Finding> out) {
        String s = "natives";
        out.add(new Finding(s, "ai.djl.offline", System.getProperty("ai.djl.offline", "unset (training sets it to true: nothing is downloaded)")));
        Properties pytorch = new Properties();
        try (InputStream in = Doctor.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                out.add(new Finding(s, "pytorch natives", "none on the classpath: training needs pytorch-native-cpu (bin/run-manager train)"));
            } else {
                pytorch.load(in);
                out.add(new Finding(s, "pytorch natives", pytorch.getProperty("version", "?") + " "
                        + pytorch.getProperty("flavor", pytorch.getProperty("placeholder", "")).trim() + " "
                        + pytorch.getProperty("classifier", "").trim()));
            }
        } catch (IOException e) {
            out.add(new Finding(s, "pytorch natives", "unreadable: " + e.getMessage()));
        }
        Path cache = Path.of(System.getProperty("user.home"), ".djl.ai", "pytorch");
        out.add(new Finding(s, "djl native cache", Files.isDirectory(cache) ? cache + " (" + list(cache) + ")" : cache + " (absent: natives not extracted yet)"));
    }

    private static String list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "empty" : String.join(", ", names);
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private static void jupyter(List<Finding> out) {
        String s = "jupyter";
        String version = run(List.of("jupyter", "--version"));
        out.add(new Finding(s, "jupyter --version", version == null ? "not found: bin/psyche-notebook installs it (Debian packages)"
                : version.lines().filter(l -> l.contains(":") && !l.contains("not installed"))
                        .map(l -> l.replaceAll("\\s*:\\s*", " ").trim()).reduce((a, b) -> a + ", " + b).orElse(version.trim())));
        String specs = version == null ? null : run(List.of("jupyter", "kernelspec", "list"));
        String ours = specs == null ? null : specs.lines().map(String::trim).filter(l -> l.startsWith(KERNEL_NAME + " ")).findFirst().orElse(null);
        out.add(new Finding(s, "kernelspec " + KERNEL_NAME, ours != null ? ours.substring(KERNEL_NAME.length()).trim()
                : "not installed: bin/psyche-notebook --install"));
    }

    private static void ledger(List<Finding> out, Path dir) {
        String s = "local chain";
        out.add(new Finding(s, "ledger", dir.toString()));
        if (!Files.isDirectory(dir)) {
            out.add(new Finding(s, "ledger state", "absent (Psyche.local() or `run-manager local-validator` creates it)"));
        } else {
            long[] size = {0, 0};
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(Files::isRegularFile).forEach(f -> {
                    size[0]++;
                    try { size[1] += Files.size(f); } catch (IOException ignored) { /* gone meanwhile */ }
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                out.add(new Finding(s, "ledger state", "unreadable: " + e.getMessage()));
            }
            out.add(new Finding(s, "ledger state", size[0] + " files, " + String.format("%,d", size[1]) + " bytes"
                    + (Files.exists(dir.resolve("genesis.properties")) ? ", genesis present" : ", no genesis")));
        }
        out.add(new Finding(s, "127.0.0.1:" + LocalChain.DEFAULT_RPC_PORT, LocalChain.isServing(LocalChain.DEFAULT_RPC_PORT)
                ? "a chain answers" : "nothing serves"));
    }

    private static void wallet(List<Finding> out, Options options) {
        String s = "wallet";
        String raw = options.env().get(Keypair.ENV_RAW_KEY);
        if (raw != null && !raw.isBlank()) {
            String key;
            try (Keypair k = Keypair.parse(raw, "env " + Keypair.ENV_RAW_KEY)) {
                key = k.publicKey().toBase58();
            } catch (RuntimeException e) {
                key = "unreadable: " + e.getMessage(); // KeypairException messages hold no key material
            }
            out.add(new Finding(s, "env " + Keypair.ENV_RAW_KEY, "set; public key " + key));
        }
        Path file = options.wallet() != null ? options.wallet() : Psyche.defaultWalletFile();
        String found;
        if (!Files.exists(file)) {
            found = "absent (Psyche.local() creates one; `run-manager keygen new` makes one)";
        } else {
            try {
                found = "public key " + Keypair.publicKeyOf(file).toBase58();
            } catch (RuntimeException e) {
                found = "unreadable: " + e.getMessage();
            }
        }
        out.add(new Finding(s, "keypair file", file + ": " + found));
    }

    private static void rpc(List<Finding> out, String url) {
        String s = "rpc";
        out.add(new Finding(s, "endpoint", url));
        long start = System.nanoTime();
        try (RpcClient client = RpcClient.builder().optEndpoint(url).optMaxRetries(0)
                .optConnectTimeout(Duration.ofSeconds(3)).optRequestTimeout(Duration.ofSeconds(5)).build()) {
            JsonNode version = client.call("getVersion");
            long slot = client.getSlot();
            long ms = (System.nanoTime() - start) / 1_000_000;
            out.add(new Finding(s, "reachable", "yes: solana-core " + version.path("solana-core").asText("?") + ", slot "
                    + String.format("%,d", slot) + ", " + ms + " ms"));
        } catch (RuntimeException e) {
            out.add(new Finding(s, "reachable", "no: " + e.getMessage()));
        }
    }

    private static void device(List<Finding> out, Map<String, String> env) {
        String s = "device";
        Runtime rt = Runtime.getRuntime();
        out.add(new Finding(s, "cpus", String.valueOf(rt.availableProcessors())));
        out.add(new Finding(s, "jvm max heap", String.format("%,d MiB", rt.maxMemory() >> 20)));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            out.add(new Finding(s, "physical memory", String.format("%,d MiB", os.getTotalMemorySize() >> 20)));
        }
        String gpus = run(List.of("nvidia-smi", "-L"));
        out.add(new Finding(s, "gpus", gpus == null || gpus.isBlank() ? "none found (training runs on the CPU)"
                : gpus.lines().map(String::trim).reduce((a, b) -> a + "; " + b).orElse("")));
        String visible = env.get("CUDA_VISIBLE_DEVICES");
        if (visible != null) out.add(new Finding(s, "CUDA_VISIBLE_DEVICES", visible));
    }

    /** Runs a command for at most 10 s; its output, or null when it is missing, fails or hangs. */
    private static String run(List<String> command) {
        Path output = null;
        Process p = null;
        try {
            output = Files.createTempFile("psyche-doctor", ".out");
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            byte[] bytes = Files.readAllBytes(output);
            return new String(bytes, 0, Math.min(bytes.length, 64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException notInstalled) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (p != null) p.destroyForcibly();
            if (output != null) {
                try { Files.deleteIfExists(output); } catch (IOException ignored) { /* a temp file left behind */ }
            }
        }
    }
}
