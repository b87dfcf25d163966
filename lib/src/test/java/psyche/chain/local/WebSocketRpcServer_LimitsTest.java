package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;

/**
 * The PubSub WebSocket's limits (loopback only, bounded in count and time): an oversized upgrade head is refused
 * without being buffered, idle connections hold no thread, and subscriptions per connection are bounded; a normal
 * client is served throughout.
 */
class WebSocketRpcServer_LimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String upgrade(String extraHeaders) {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    private static String statusLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') line.append((char) b);
        return line.toString().trim();
    }

    /** A JDK WebSocket client collecting what it receives. */
    private record Client(WebSocket ws, BlockingQueue<JsonNode> messages) {
        static Client open(String url) throws Exception {
            BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        try {
                            messages.add(JSON.readTree(text.toString()));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                        text.setLength(0);
                    }
                    socket.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            return new Client(ws, messages);
        }

        JsonNode call(String method, String params) throws Exception {
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}", true).get(5, TimeUnit.SECONDS);
            JsonNode answer = messages.poll(10, TimeUnit.SECONDS);
            if (answer == null) throw new AssertionError("no answer to " + method);
            return answer;
        }
    }

    @Test void anOversizedUpgradeHeadIsRefusedAndOthersAreServed() throws Exception {
        try (Ledger ledger = Ledger.inMemory(Clock.systemUTC(), List.of());
             WebSocketRpcServer server = new WebSocketRpcServer(ledger, 0);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String big = "X-Pad: " + "a".repeat(1000) + "\r\n";
            String status = null;
            try {
                out.write(upgrade("").substring(0, 40).getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 1000; i++) out.write(big.getBytes(StandardCharsets.US_ASCII)); // ~1 MB of head
            } catch (IOException cut) {
                // the server stopped reading and closed: the head was not buffered
            }
            try {
                status = statusLine(s);
            } catch (IOException reset) {
                status = "reset";
            }
            assertTrue(status.startsWith("HTTP/1.1 431") || status.equals("reset") || status.isEmpty(), status);
            Client ok = Client.open(server.url());
            assertTrue(ok.call("accountSubscribe", "[\"" + Pubkey.SYSTEM + "\"]").path("result").asLong() > 0);
            ok.ws().abort();
        }
    }

    @Test void idleConnectionsHoldNoThread() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try (Ledger ledger = Ledger.inMemory(Clock.systemUTC(), List.of());
             WebSocketRpcServer server = new WebSocketRpcServer(ledger, 0)) {
            try {
                for (int i = 0; i < 300; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(upgrade("").getBytes(StandardCharsets.US_ASCII));
                    assertEquals("HTTP/1.1 101 Switching Protocols", statusLine(s), "connection " + i);
                    idle.add(s);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (server.openConnections() < 300 && System.nanoTime() < deadline) Thread.sleep(20);
                assertEquals(300, server.openConnections());
                long threads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("local-chain-ws")).count();
                assertTrue(threads <= 17, threads + " server threads for 300 idle connections");
                Client ok = Client.open(server.url());
                assertTrue(ok.call("accountSubscribe", "[\"" + Pubkey.SYSTEM + "\"]").path("result").asLong() > 0);
                ok.ws().abort();
            } finally {
                for (Socket s : idle) s.close();
            }
        }
    }

    @Test void subscriptionsPerConnectionAreBounded() throws Exception {
        try (Ledger ledger = Ledger.inMemory(Clock.systemUTC(), List.of());
             WebSocketRpcServer server = new WebSocketRpcServer(ledger, 0)) {
            Client c = Client.open(server.url());
            Pubkey watched = Pubkey.of(Hashing.sha256("watched".getBytes()));
            long last = 0;
            for (int i = 0; i < WebSocketRpcServer.MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) {
                last = c.call("accountSubscribe", "[\"" + watched + "\"]").path("result").asLong();
                assertTrue(last > 0);
            }
            JsonNode refused = c.call("accountSubscribe", "[\"" + watched + "\"]");
            assertEquals(-32603, refused.path("error").path("code").asInt(), refused.toString());
            assertTrue(refused.path("error").path("message").asText().contains("1024 subscriptions"), refused.toString());
            assertTrue(c.call("accountUnsubscribe", "[" + last + "]").path("result").asBoolean());
            assertTrue(c.call("accountSubscribe", "[\"" + watched + "\"]").path("result").asLong() > 0, "room again after an unsubscribe");
            // another connection is not limited by this one
            Client other = Client.open(server.url());
            assertTrue(other.call("accountSubscribe", "[\"" + watched + "\"]").path("result").asLong() > 0);
            c.ws().abort();
            other.ws().abort();
        }
    }
}
