package psyche.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How requests are framed and connections kept: keep-alive, pipelining, chunked bodies, HTTP/1.0, Connection: close. */
class HttpEdge_RequestFramingTest {
    private final AtomicInteger handled = new AtomicInteger();
    private HttpEdge server;

    /** Echoes what it got: "METHOD PATH n=<body length> <body>". */
    @BeforeEach void start() {
        server = HttpEdge.builder().setHandler(r -> {
            handled.incrementAndGet();
            String echo = r.method() + " " + r.path() + " n=" + r.body().length + " " + new String(r.body(), StandardCharsets.UTF_8);
            return new HttpEdge.Response(200, "text/plain", echo.getBytes(StandardCharsets.UTF_8));
        }).start();
    }

    @AfterEach void stop() { server.close(); }

    @Test void severalRequestsShareOneKeepAliveConnection() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            for (int i = 0; i < 5; i++) {
                RawHttpConnection.Response r = c.post("{\"n\":" + i + "}").read();
                assertEquals(200, r.status());
                assertEquals("POST / n=7 {\"n\":" + i + "}", r.body());
                assertEquals("text/plain", r.header("Content-Type"));
                assertNull(r.header("Connection"), "keep-alive is the HTTP/1.1 default: nothing to say");
            }
            assertEquals(1, server.openConnections());
        }
        assertEquals(5, handled.get());
    }

    @Test void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nxPOST /b?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nyy"
                    + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("POST /a n=1 x", c.read().body());
            assertEquals("POST /b n=2 yy", c.read().body());
            assertEquals("GET /c n=0 ", c.read().body());
        }
    }

    @Test void chunkedBodyIsReassembledWithExtensionsAndTrailers() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertEquals("POST / n=16 hello 0123456789", c.read().body());
            // the connection stays usable after a chunked body
            assertEquals("POST / n=2 ok", c.post("ok").read().body());
        }
    }

    @Test void expectContinueGetsAnInterimAnswerBeforeTheBody() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
            assertEquals(100, c.read().status());
            assertEquals("POST / n=3 abc", c.send("abc").read().body());
        }
    }

    @Test void connectionCloseIsHonoredAfterTheAnswer() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            RawHttpConnection.Response r = c.send("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n\r\nz").read();
            assertEquals("POST / n=1 z", r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test void http10ClosesUnlessAskedToKeepAlive() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            RawHttpConnection.Response r = c.send("GET /x HTTP/1.0\r\n\r\n").read();
            assertEquals("GET /x n=0 ", r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            assertEquals(200, c.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read().status());
            assertEquals(200, c.send("GET /y HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").read().status());
        }
    }

    @Test void headAnswersHeadersWithoutBody() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            RawHttpConnection.Response head = c.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n").readHeadAnswer();
            assertEquals("12", head.header("Content-Length")); // the length of "HEAD /h n=0 ", the body it would have had
            // the next answer starts right after the head's headers: proof that no body bytes were sent
            assertEquals("POST / n=1 q", c.post("q").read().body());
        }
    }

    @Test void theJdkClientReusesItsConnection() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/rpc");
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("b" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("POST /rpc n=2 b" + i, r.body());
        }
        assertEquals(1, server.openConnections());
        assertEquals(10, handled.get());
    }
}
