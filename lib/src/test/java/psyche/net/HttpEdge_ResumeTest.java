package psyche.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A connection whose answer was completed on a thread that is not the server's (an asynchronous handler completed by,
 * e.g., the ledger's log flusher) is resumed by that thread once the answer is written: its next requests are still
 * served, in order, and a request that was already waiting is handled on the server's threads, never on the thread
 * that completed the answer before it.
 */
class HttpEdge_ResumeTest {
    private static final String COMPLETER = "test-completer";

    private static HttpEdge.Response text(String s) {
        return new HttpEdge.Response(200, "text/plain", s.getBytes(StandardCharsets.UTF_8));
    }

    private static ExecutorService completer() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, COMPLETER);
            t.setDaemon(true);
            return t;
        });
    }

    @Test void keepAliveRequestsAreAllAnsweredInOrderWhenEachAnswerIsCompletedElsewhere() throws Exception {
        ExecutorService completer = completer();
        try (HttpEdge server = HttpEdge.builder().setHandler(r -> text("blocking " + new String(r.body(), StandardCharsets.UTF_8)))
                .optAsync(r -> CompletableFuture.supplyAsync(() -> text("async " + new String(r.body(), StandardCharsets.UTF_8)), completer))
                .optThreadName("edge-test").start();
             RawHttpConnection c = new RawHttpConnection(server.port())) {
            for (int i = 0; i < 300; i++) {
                RawHttpConnection.Response r = c.post("n" + i).read();
                assertEquals(200, r.status());
                assertEquals("async n" + i, r.body());
            }
            assertEquals(1, server.openConnections(), "one keep-alive connection served them all");
        } finally {
            completer.shutdownNow();
        }
    }

    @Test void aRequestAlreadyWaitingWhenTheAnswerCompletesElsewhereIsHandledOnTheServersThreads() throws Exception {
        ExecutorService completer = completer();
        CountDownLatch release = new CountDownLatch(1);
        CopyOnWriteArrayList<String> asyncCalledOn = new CopyOnWriteArrayList<>();
        try (HttpEdge server = HttpEdge.builder().setHandler(r -> text("blocking"))
                .optAsync(r -> {
                    String body = new String(r.body(), StandardCharsets.UTF_8);
                    asyncCalledOn.add(body + "@" + Thread.currentThread().getName());
                    if (!body.equals("first")) return CompletableFuture.completedFuture(text("answered " + body));
                    // the first answer completes on the completer thread, once the second request is surely buffered
                    return CompletableFuture.supplyAsync(() -> {
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return text("answered first");
                    }, completer);
                })
                .optThreadName("edge-test").start();
             RawHttpConnection c = new RawHttpConnection(server.port())) {
            String first = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nfirst";
            String second = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6\r\n\r\nsecond";
            c.send(first + second); // pipelined: the second is in the server's buffer while the first is answered
            Thread.sleep(200);
            release.countDown();
            assertEquals("answered first", c.read().body());
            assertEquals("answered second", c.read().body());
            assertEquals(2, asyncCalledOn.size(), asyncCalledOn.toString());
            String secondOn = asyncCalledOn.get(1);
            assertTrue(secondOn.startsWith("second@edge-test"), "the waiting request is handled on a server thread: " + asyncCalledOn);
            assertFalse(secondOn.contains(COMPLETER), asyncCalledOn.toString());
            // and the connection goes on
            assertEquals("answered third", c.post("third").read().body());
        } finally {
            completer.shutdownNow();
        }
    }
}
