package psyche.chain.rpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback HTTP proxy in front of an RPC server that misbehaves on cue: for a JSON-RPC method it takes the next
 * scripted fault (HTTP 429/500, a connection reset before or after forwarding, a BlockhashNotFound answer) and
 * otherwise forwards. Counts requests per method.
 */
final class FaultInjectingProxy implements AutoCloseable {
    enum Fault { HTTP_429, HTTP_500, HTTP_503, RESET_BEFORE_FORWARD, RESET_AFTER_FORWARD, BLOCKHASH_NOT_FOUND }

    private static final Pattern METHOD = Pattern.compile("\"method\"\\s*:\\s*\"([A-Za-z]+)\"");
    private final ServerSocket socket;
    private final URI target;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    FaultInjectingProxy(String targetUrl) throws IOException {
        this.target = URI.create(targetUrl);
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.submit(this::acceptLoop);
    }

    String url() { return "http://127.0.0.1:" + socket.getLocalPort(); }

    void inject(String method, Fault... script) {
        Queue<Fault> q = faults.computeIfAbsent(method, m -> new ConcurrentLinkedQueue<>());
        for (Fault f : script) q.add(f);
    }

    int count(String method) { return counts.getOrDefault(method, new AtomicInteger()).get(); }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                pool.submit(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            String headers = readHeaders(in);
            Matcher len = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(headers);
            int length = len.find() ? Integer.parseInt(len.group(1)) : 0;
            byte[] body = in.readNBytes(length);
            String text = new String(body, StandardCharsets.UTF_8);
            Matcher m = METHOD.matcher(text);
            String method = m.find() ? m.group(1) : "?";
            counts.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
            Queue<Fault> q = faults.get(method);
            Fault fault = q == null ? null : q.poll();
            OutputStream out = s.getOutputStream();
            if (fault == null) {
                write(out, 200, forward(body));
                return;
            }
            switch (fault) {
                case HTTP_429 -> write(out, 429, "{\"error\":\"too many requests\"}".getBytes());
                case HTTP_500 -> write(out, 500, "internal".getBytes());
                case HTTP_503 -> write(out, 503, "unavailable".getBytes());
                case RESET_BEFORE_FORWARD -> reset(s);
                case RESET_AFTER_FORWARD -> { forward(body); reset(s); }
                case BLOCKHASH_NOT_FOUND -> write(out, 200, ("{\"jsonrpc\":\"2.0\",\"id\":" + idOf(text) + ",\"error\":{\"code\":-32002,"
                        + "\"message\":\"Transaction simulation failed: Blockhash not found\",\"data\":{\"accounts\":null,"
                        + "\"err\":\"BlockhashNotFound\",\"logs\":[],\"unitsConsumed\":0}}}").getBytes());
            }
        } catch (Exception e) {
            // the client sees a broken connection, which is the point
        }
    }

    private static String idOf(String text) {
        Matcher m = Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(text);
        return m.find() ? m.group(1) : "null";
    }

    private byte[] forward(byte[] body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(target).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    private static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0); // close with RST: the client sees "connection reset"
        s.close();
    }

    private static void write(OutputStream out, int status, byte[] body) throws IOException {
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) break;
            buf.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return buf.toString(StandardCharsets.US_ASCII);
    }

    @Override public void close() throws IOException {
        socket.close();
        pool.shutdownNow();
    }
}
