package psyche.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/**
 * Slowloris, idle and slow-reading clients (loopback only, bounded in count and time): none can hold the server, and
 * other clients keep being served while they try.
 */
class HttpEdge_SlowClientsTest {
    private static HttpEdge.Handler ok() {
        return r -> new HttpEdge.Response(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
    }

    /** Sockets that each send one more byte of a never-ending request head every {@code everyMillis}. */
    private static final class Tricklers implements AutoCloseable {
        final List<Socket> sockets = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        Tricklers(int port, int count, long everyMillis) throws IOException {
            for (int i = 0; i < count; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            thread = new Thread(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // bounded even if the test fails
                while (!stop.get() && System.nanoTime() < until) {
                    for (Socket s : sockets) {
                        try {
                            s.getOutputStream().write('a');
                        } catch (IOException cut) {
                            // the server closed it: that is the point
                        }
                    }
                    try {
                        Thread.sleep(everyMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        @Override public void close() throws Exception {
            stop.set(true);
            thread.join(5_000);
            for (Socket s : sockets) s.close();
        }
    }

    @Test void slowHeadsFillingEverySlotCannotLockOthersOut() throws Exception {
        try (HttpEdge server = HttpEdge.builder().optMaxConnections(8).setHandler(ok()).start();
             Tricklers slow = new Tricklers(server.port(), 8, 200)) {
            Thread.sleep(HttpEdge.EVICTABLE_AFTER_MILLIS + 300);
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                try (RawHttpConnection c = new RawHttpConnection(server.port())) {
                    assertEquals(200, c.post("{}").read().status(), "request " + i + " while 8 slow clients hold the slots");
                }
                assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5_000);
            }
            assertTrue(server.evictions() >= 1, "slow connections made room: " + server.evictions());
        }
    }

    @Test void idleConnectionsFillingEverySlotYieldToANewcomer() throws Exception {
        try (HttpEdge server = HttpEdge.builder().optMaxConnections(4).setHandler(ok()).start()) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) idle.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));
                Thread.sleep(HttpEdge.EVICTABLE_AFTER_MILLIS + 300);
                try (RawHttpConnection c = new RawHttpConnection(server.port())) {
                    assertEquals(200, c.post("{}").read().status());
                }
            } finally {
                for (Socket s : idle) s.close();
            }
        }
    }

    @Test void aHeadTrickledPastItsDeadlineIsAnswered408AndClosed() throws Exception {
        try (HttpEdge server = HttpEdge.builder().optHeadTimeout(Duration.ofMillis(800)).setHandler(ok()).start();
             RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < 11; i++) { // a header line every 100 ms: never idle, never complete
                Thread.sleep(100);
                try {
                    c.send("X-Slow-" + i + ": a\r\n");
                } catch (IOException closed) {
                    break;
                }
            }
            RawHttpConnection.Response r = c.read();
            assertEquals(408, r.status());
            assertTrue(r.body().contains("request head not complete within 800 ms"), r.body());
            assertTrue(c.closedByServer());
        }
    }

    @Test void aBodyTrickledPastItsDeadlineIsAnswered408() throws Exception {
        try (HttpEdge server = HttpEdge.builder().optBodyTimeout(Duration.ofMillis(800)).setHandler(ok()).start();
             RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
            for (int i = 0; i < 12; i++) {
                Thread.sleep(100);
                c.send("x");
            }
            RawHttpConnection.Response r = c.read();
            assertEquals(408, r.status());
            assertTrue(r.body().contains("request body not complete within 800 ms"), r.body());
        }
    }

    @Test void aClientThatDoesNotReadItsAnswerIsCutAtTheWriteDeadline() throws Exception {
        byte[] big = new byte[32 << 20];
        try (HttpEdge server = HttpEdge.builder().optWriteTimeout(Duration.ofMillis(800))
                .setHandler(r -> new HttpEdge.Response(200, "application/octet-stream", big)).start();
             Socket reader = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            reader.setReceiveBufferSize(4096);
            OutputStream out = reader.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // never reads; the server gives up on it and others are served meanwhile
            try (RawHttpConnection other = new RawHttpConnection(server.port())) {
                assertEquals(200, other.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read().status());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.openConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(0, server.openConnections(), "the slow reader was disconnected");
        }
    }

    @Test void oneAddressBeyondItsLimitWithEveryConnectionBusyIsAnswered503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(2);
        HttpEdge.Handler blocking = r -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new HttpEdge.Response(200, "text/plain", new byte[0]);
        };
        try (HttpEdge server = HttpEdge.builder().optMaxConnectionsPerAddress(2).setHandler(blocking).start();
             RawHttpConnection a = new RawHttpConnection(server.port());
             RawHttpConnection b = new RawHttpConnection(server.port())) {
            a.post("1");
            b.post("2");
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            try (RawHttpConnection c = new RawHttpConnection(server.port())) {
                RawHttpConnection.Response r = c.post("3").read();
                assertEquals(503, r.status());
                assertTrue(r.body().contains("from your address"), r.body());
            }
            release.countDown();
            assertEquals(200, a.read().status());
            assertEquals(200, b.read().status());
        }
    }
}
