package psyche.chain.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import psyche.net.HttpEdge;

/** An endpoint that hangs, or answers empty or malformed: each fails within a stated time, in one line naming it. */
class RpcClient_BadEndpointTest {
    private static HttpEdge answering(Supplier<String> body) {
        return HttpEdge.builder().setHandler(r -> new HttpEdge.Response(200, "application/json",
                body.get().getBytes(StandardCharsets.UTF_8))).start();
    }

    private static RpcClient client(String url) {
        return RpcClient.builder().optEndpoint(url).optRequestTimeout(Duration.ofMillis(700)).optCallDeadline(Duration.ofSeconds(2))
                .optBackoff(Duration.ofMillis(50), Duration.ofMillis(100)).build();
    }

    @Test void aHangingEndpointFailsWithinTheCallDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) { // accepts, never answers
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            long t0 = System.nanoTime();
            RpcException e = assertThrows(RpcException.class, () -> client(url).getBalance("11111111111111111111111111111111"));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis < 4_000, "failed after " + millis + " ms");
            assertTrue(e.getMessage().contains("in 2 s at most"), e.getMessage());
            assertTrue(e.getMessage().contains(url), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    @Test void emptyAndMalformedAnswersGiveOneLineNamingTheEndpoint() {
        for (String body : List.of("", "[]", "{\"jsonrpc\":\"2.0\",\"id\":1}", "<html>proxy error</html>")) {
            try (HttpEdge server = answering(() -> body)) {
                String url = "http://127.0.0.1:" + server.port();
                RpcException e = assertThrows(RpcException.class, () -> client(url).getSlot(), body);
                assertTrue(e.getMessage().contains("getSlot to " + url), e.getMessage());
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
                assertFalse(e.getMessage().contains("Index 0"), e.getMessage());
            }
        }
        try (HttpEdge server = answering(() -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"context\":{\"slot\":1},\"value\":[]}}")) {
            String url = "http://127.0.0.1:" + server.port();
            RpcException e = assertThrows(RpcException.class,
                    () -> client(url).getSignatureStatuses(List.of("1111111111111111111111111111111111111111111111111111111111111111")));
            assertTrue(e.getMessage().contains("malformed answer: 0 statuses for 1 signatures"), e.getMessage());
            assertTrue(e.getMessage().contains(url), e.getMessage());
        }
    }
}
