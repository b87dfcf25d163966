package psyche.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The connection limit (503 beyond it), the idle timeout, and close() with connections still open. */
class HttpEdge_ConnectionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpEdge.Handler ok() {
        return r -> new HttpEdge.Response(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
    }

    /** Waits until the server counts {@code n} open connections (accepting is asynchronous). */
    private static void awaitOpen(HttpEdge server, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.openConnections() != n) {
            if (System.nanoTime() > deadline) throw new AssertionError("expected " + n + " open connections, have " + server.openConnections());
            Thread.sleep(5);
        }
    }

    @Test void oneConnectionBeyondTheLimitIsAnswered503AndTheOthersKeepWorking() throws Exception {
        try (HttpEdge server = HttpEdge.builder().optMaxConnections(2).setHandler(ok()).start();
             RawHttpConnection a = new RawHttpConnection(server.port());
             RawHttpConnection b = new RawHttpConnection(server.port())) {
            assertEquals(200, a.post("1").read().status());
            assertEquals(200, b.post("2").read().status());
            try (RawHttpConnection c = new RawHttpConnection(server.port())) {
                RawHttpConnection.Response r = c.post("3").read();
                assertEquals(503, r.status());
                assertEquals("close", r.header("Connection"));
                assertTrue(JSON.readTree(r.body()).path("error").path("message").asText().contains("2 connections open"), r.body());
                assertTrue(c.closedByServer());
            }
            assertEquals(200, a.post("4").read().status());
            // a freed slot is served again
            b.close();
            awaitOpen(server, 1);
            try (RawHttpConnection d = new RawHttpConnection(server.port())) {
                assertEquals(200, d.post("5").read().status());
            }
        }
    }

    @Test void closeReturnsPromptlyWithIdleConnectionsOpenAndClosesThem() throws Exception {
        HttpEdge server = HttpEdge.builder().setHandler(ok()).start();
        List<RawHttpConnection> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                RawHttpConnection c = new RawHttpConnection(server.port());
                if (i % 2 == 0) assertEquals(200, c.post("x").read().status()); // half served once, half never spoke
                idle.add(c);
            }
            awaitOpen(server, 20);
            long start = System.nanoTime();
            server.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 2_000, "close() took " + millis + " ms with idle connections open");
            assertEquals(0, server.openConnections());
            for (RawHttpConnection c : idle) assertTrue(c.closedByServer());
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), server.port()).close());
        } finally {
            server.close();
            for (RawHttpConnection c : idle) c.close();
        }
    }

    @Test void closeDoesNotWaitForeverOnAHandlerInFlight() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpEdge server = HttpEdge.builder().optCloseGrace(Duration.ofMillis(300)).setHandler(r -> {
            entered.countDown();
            try {
                release.await(); // a handler that outlasts the grace
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new HttpEdge.Response(200, null, new byte[0]);
        }).start();
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.post("wait");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            server.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 3_000, "close() took " + millis + " ms");
            assertTrue(c.closedByServer());
        } finally {
            release.countDown();
        }
    }

    @Test void idleConnectionsAreClosedAfterTheTimeout() throws Exception {
        try (HttpEdge server = HttpEdge.builder().optIdleTimeout(Duration.ofMillis(200)).setHandler(ok()).start();
             RawHttpConnection c = new RawHttpConnection(server.port())) {
            assertEquals(200, c.post("x").read().status());
            long start = System.nanoTime();
            assertTrue(c.closedByServer());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 150 && millis < 5_000, "closed after " + millis + " ms");
            awaitOpen(server, 0);
        }
    }

    @Test void aTakenPortIsAnActionableError() throws IOException {
        try (HttpEdge first = HttpEdge.builder().setHandler(ok()).start()) {
            var e = assertThrows(java.io.UncheckedIOException.class,
                    () -> HttpEdge.builder().optPort(first.port()).setHandler(ok()).start());
            assertTrue(e.getMessage().contains("127.0.0.1:" + first.port()), e.getMessage());
        }
    }
}
