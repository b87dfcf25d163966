package psyche.kernel;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A minimal Jupyter client over ZeroMQ (jeromq) that starts the real kernel as a child process on 127.0.0.1 and
 * speaks the wire protocol to it: shell and control requests, IOPub collection per request.
 */
final class KernelClient implements AutoCloseable {
    /** One Jupyter message. */
    record Msg(JsonObject header, JsonObject parent, JsonObject content) {
        String type() {
            return header.get("msg_type").getAsString();
        }

        String parentId() {
            return parent.has("msg_id") ? parent.get("msg_id").getAsString() : "";
        }
    }

    /** What one execute_request produced: the shell reply and the IOPub messages it caused, in order. */
    record Execution(Msg reply, List<Msg> iopub) {
        String status() {
            return reply.content().get("status").getAsString();
        }

        String stdout() {
            return stream("stdout");
        }

        String stderr() {
            return stream("stderr");
        }

        private String stream(String name) {
            StringBuilder out = new StringBuilder();
            for (Msg m : iopub) {
                if (m.type().equals("stream") && m.content().get("name").getAsString().equals(name)) {
                    out.append(m.content().get("text").getAsString());
                }
            }
            return out.toString();
        }

        /** The execute_result's data bundle, or null. */
        JsonObject result() {
            return iopub.stream().filter(m -> m.type().equals("execute_result")).findFirst()
                    .map(m -> m.content().getAsJsonObject("data")).orElse(null);
        }

        Msg error() {
            return iopub.stream().filter(m -> m.type().equals("error")).findFirst().orElse(null);
        }

        List<Msg> ofType(String type) {
            return iopub.stream().filter(m -> m.type().equals(type)).toList();
        }
    }

    private static final Gson GSON = new Gson();
    private static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.UTF_8);

    private final Process process;
    private final ZContext context = new ZContext();
    private final ZMQ.Socket shell;
    private final ZMQ.Socket control;
    private final ZMQ.Socket iopub;
    private final Mac mac;
    private final String session = UUID.randomUUID().toString();

    private KernelClient(Process process, int[] ports, String key) throws GeneralSecurityException {
        this.process = process;
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        shell = socket(SocketType.DEALER, ports[0]);
        control = socket(SocketType.DEALER, ports[1]);
        iopub = socket(SocketType.SUB, ports[2]);
        iopub.subscribe(new byte[0]);
    }

    private ZMQ.Socket socket(SocketType type, int port) {
        ZMQ.Socket s = context.createSocket(type);
        s.setLinger(0);
        s.connect("tcp://127.0.0.1:" + port);
        return s;
    }

    /** Starts the kernel from this JVM's class path and waits until it answers on shell and IOPub. */
    static KernelClient start(Path workDir, String... jvmArgs) throws Exception {
        List<String> launch = new ArrayList<>(List.of(jvmArgs));
        launch.addAll(List.of("-cp", System.getProperty("java.class.path"), PsycheKernel.class.getName()));
        return start(workDir, launch);
    }

    /**
     * Starts {@code java LAUNCH... CONNECTION_FILE} ({@code launch} ends with the main class or {@code -jar JAR})
     * and waits until the kernel answers on shell and IOPub.
     */
    static KernelClient start(Path workDir, List<String> launch) throws Exception {
        Files.createDirectories(workDir);
        int[] ports = freePorts(5);
        String key = UUID.randomUUID().toString();
        JsonObject conn = new JsonObject();
        conn.addProperty("transport", "tcp");
        conn.addProperty("ip", "127.0.0.1");
        conn.addProperty("shell_port", ports[0]);
        conn.addProperty("control_port", ports[1]);
        conn.addProperty("iopub_port", ports[2]);
        conn.addProperty("stdin_port", ports[3]);
        conn.addProperty("hb_port", ports[4]);
        conn.addProperty("signature_scheme", "hmac-sha256");
        conn.addProperty("key", key);
        Path connFile = workDir.resolve("connection.json");
        Files.writeString(connFile, GSON.toJson(conn));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.awt.headless=true");
        command.addAll(launch);
        command.add(connFile.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("kernel.log").toFile()).start();
        KernelClient client = new KernelClient(process, ports, key);
        try {
            client.awaitReady(Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            process.destroyForcibly();
            client.context.close();
            throw e;
        }
        return client;
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) s.close();
        }
        return ports;
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) throw new IllegalStateException("kernel process exited with " + process.exitValue());
            send(shell, "kernel_info_request", new JsonObject());
            Msg reply = receive(shell, Duration.ofSeconds(2));
            // any kernel_info_reply will do: under load the answer to an earlier attempt may arrive first
            if (reply != null && reply.type().equals("kernel_info_reply")) {
                // IOPub (PUB/SUB) drops messages until the subscription is in place: wait for one status message
                Msg status = receive(iopub, Duration.ofMillis(500));
                if (status != null) {
                    drain();
                    return;
                }
            }
        }
        throw new IllegalStateException("kernel not ready after " + timeout);
    }

    private void drain() {
        while (receive(iopub, Duration.ofMillis(100)) != null) { }
        while (receive(shell, Duration.ZERO) != null) { }
    }

    String send(ZMQ.Socket socket, String type, JsonObject content) {
        String id = UUID.randomUUID().toString();
        JsonObject header = new JsonObject();
        header.addProperty("msg_id", id);
        header.addProperty("session", session);
        header.addProperty("username", "test");
        header.addProperty("date", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
        header.addProperty("msg_type", type);
        header.addProperty("version", "5.3");
        byte[][] parts = {bytes(GSON.toJson(header)), bytes("{}"), bytes("{}"), bytes(GSON.toJson(content))};
        synchronized (mac) {
            for (byte[] p : parts) mac.update(p);
            String signature = HexFormat.of().formatHex(mac.doFinal());
            socket.sendMore(DELIMITER);
            socket.sendMore(signature);
            for (int i = 0; i < parts.length; i++) {
                if (i < parts.length - 1) socket.sendMore(parts[i]);
                else socket.send(parts[i]);
            }
        }
        return id;
    }

    Msg receive(ZMQ.Socket socket, Duration timeout) {
        socket.setReceiveTimeOut((int) Math.max(1, timeout.toMillis()));
        List<byte[]> frames = new ArrayList<>();
        byte[] first = socket.recv();
        if (first == null) return null;
        frames.add(first);
        while (socket.hasReceiveMore()) frames.add(socket.recv());
        int d = 0;
        while (d < frames.size() && !java.util.Arrays.equals(frames.get(d), DELIMITER)) d++;
        if (d + 5 >= frames.size()) throw new IllegalStateException("malformed message: " + frames.size() + " frames");
        return new Msg(json(frames.get(d + 2)), json(frames.get(d + 3)), json(frames.get(d + 5)));
    }

    private static JsonObject json(byte[] b) {
        return JsonParser.parseString(new String(b, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends an execute_request and collects until its reply has come and IOPub reported idle for it. */
    Execution execute(String code, Duration timeout) {
        return collect(submit(code), timeout);
    }

    /** Sends an execute_request without waiting; pair with {@link #collect}. */
    String submit(String code) {
        JsonObject content = new JsonObject();
        content.addProperty("code", code);
        content.addProperty("silent", false);
        content.addProperty("store_history", true);
        content.add("user_expressions", new JsonObject());
        content.addProperty("allow_stdin", false);
        content.addProperty("stop_on_error", true);
        return send(shell, "execute_request", content);
    }

    Execution collect(String id, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Msg reply = null;
        boolean idle = false;
        List<Msg> messages = new ArrayList<>();
        while ((reply == null || !idle) && Instant.now().isBefore(deadline)) {
            if (reply == null) {
                Msg m = receive(shell, Duration.ofMillis(2));
                if (m != null && m.parentId().equals(id)) reply = m;
            }
            Msg m;
            while ((m = receive(iopub, Duration.ofMillis(2))) != null) {
                if (!m.parentId().equals(id)) continue;
                if (m.type().equals("status") && m.content().get("execution_state").getAsString().equals("idle")) idle = true;
                else if (!m.type().equals("status")) messages.add(m);
            }
        }
        if (reply == null || !idle) throw new IllegalStateException("no complete answer to execute_request within " + timeout);
        return new Execution(reply, messages);
    }

    /** The next IOPub message, or null after {@code timeout}. */
    Msg receiveIopub(Duration timeout) {
        return receive(iopub, timeout);
    }

    /** Sends a shell request and returns its reply's content. */
    JsonObject request(String type, JsonObject content, Duration timeout) {
        String id = send(shell, type, content);
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Msg m = receive(shell, Duration.ofMillis(100));
            if (m != null && m.parentId().equals(id)) return m.content();
        }
        throw new IllegalStateException("no " + type + " reply within " + timeout);
    }

    void interrupt() {
        send(control, "interrupt_request", new JsonObject());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            JsonObject content = new JsonObject();
            content.addProperty("restart", false);
            send(control, "shutdown_request", content);
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } finally {
            context.close();
        }
    }
}
