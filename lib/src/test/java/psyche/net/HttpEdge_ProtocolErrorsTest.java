package psyche.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Requests the server refuses: each gets a JSON-RPC shaped error with the right status, then the connection closes. */
class HttpEdge_ProtocolErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIMIT = 100;
    private final AtomicInteger handled = new AtomicInteger();
    private HttpEdge server;

    @BeforeEach void start() {
        server = HttpEdge.builder().optMaxBodyBytes(LIMIT).setHandler(r -> {
            handled.incrementAndGet();
            return new HttpEdge.Response(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
        }).start();
    }

    @AfterEach void stop() { server.close(); }

    /** Sends {@code raw}, expects {@code status} with a JSON-RPC error, the handler not called, and the connection closed. */
    private JsonNode refused(String raw, int status) throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            RawHttpConnection.Response r = c.send(raw).read();
            assertEquals(status, r.status(), r.body());
            assertEquals("close", r.header("Connection"));
            assertEquals("application/json", r.header("Content-Type"));
            assertTrue(c.closedByServer(), "the connection ends after a protocol error");
            JsonNode body = JSON.readTree(r.body());
            assertEquals("2.0", body.path("jsonrpc").asText());
            assertTrue(body.path("id").isNull());
            assertEquals(0, handled.get(), "the handler never sees a refused request");
            return body.path("error");
        }
    }

    @Test void bodyOverTheLimitIs413WithoutReadingIt() throws Exception {
        JsonNode error = refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n" + "x".repeat(LIMIT + 1), 413);
        assertEquals(-32600, error.path("code").asInt());
        assertEquals("request body of 101 bytes is over the limit of 100 bytes", error.path("message").asText());
    }

    @Test void hugeDeclaredBodyIs413AtOnce() throws Exception {
        // only the head is sent: the answer must not wait for 10 GB that never come
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n", 413);
    }

    @Test void chunkedBodyOverTheLimitIs413() throws Exception {
        String chunk = Integer.toHexString(60) + "\r\n" + "y".repeat(60) + "\r\n";
        JsonNode error = refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n", 413);
        assertEquals("request body of 120 bytes is over the limit of 100 bytes", error.path("message").asText());
    }

    @Test void bodyExactlyAtTheLimitIsServed() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            assertEquals(200, c.post("z".repeat(LIMIT)).read().status());
        }
    }

    @Test void malformedRequestLinesAre400() throws Exception {
        refused("GARBAGE\r\n\r\n", 400);
        refused("POST /  HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        refused("POST / HTTP/1.1 extra\r\n\r\n", 400);
        refused("PO(ST / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        refused("POST nopath HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        refused("POST / SPDY/3\r\n\r\n", 400);
    }

    @Test void malformedHeadersAre400() throws Exception {
        refused("POST / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12a\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n", 400);
    }

    @Test void anHttp11RequestWithoutHostIs400() throws Exception {
        // RFC 9112 section 3.2: a server MUST answer 400 to an HTTP/1.1 request that lacks a Host header
        refused("POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 400);
    }

    @Test void malformedChunksAre400() throws Exception {
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400);
    }

    @Test void bodyCutShortIs400() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
            c.close();
        }
        // nothing to read back on a closed socket; the server must simply not call the handler
        Thread.sleep(100);
        assertEquals(0, handled.get());
    }

    @Test void otherTransferCodingsAre501AndOtherVersions505() throws Exception {
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
        refused("POST / HTTP/2.0\r\n\r\n", 505);
    }
}
