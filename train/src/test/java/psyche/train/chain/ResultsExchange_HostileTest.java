package psyche.train.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * The results exchange against hostile peers (loopback only, bounded in count and time): slow and junk connections
 * do not stop a session's server from answering others; a peer trickling its answer, announcing or sending too much
 * is cut at the deadline or the limit, quarantined, and does not hold up the honest peers fetched with it.
 */
class ResultsExchange_HostileTest {
    private static final byte[] BUNDLE = "results-of-step-7".getBytes(StandardCharsets.UTF_8);

    private static ResultsExchange serving(Duration fetchDeadline) {
        ResultsExchange x = new ResultsExchange("127.0.0.1", 0, () -> "{\"run\":\"r\"}", 1 << 20, fetchDeadline);
        x.publish(7, BUNDLE);
        return x;
    }

    /** A peer that accepts connections and answers each with {@code behaviour}, on its own threads, until closed. */
    private static final class Rogue implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Socket> accepted = new ArrayList<>();

        Rogue(Consumer<OutputStream> behaviour) throws IOException {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Socket s = socket.accept();
                        synchronized (accepted) { accepted.add(s); }
                        Thread w = new Thread(() -> {
                            try {
                                s.getInputStream().read(new byte[4096]); // the request
                                behaviour.accept(s.getOutputStream());
                            } catch (IOException ignored) {
                                // the fetcher hung up: expected
                            }
                        });
                        w.setDaemon(true);
                        w.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        URI url() { return URI.create("http://127.0.0.1:" + socket.getLocalPort()); }

        @Override public void close() throws IOException {
            stop.set(true);
            socket.close();
            synchronized (accepted) { for (Socket s : accepted) s.close(); }
        }
    }

    private static void write(OutputStream out, String s) {
        try {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void trickle(OutputStream out, int bytes, long everyMillis) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15); // bounded even when nobody cuts it
        for (int i = 0; i < bytes && System.nanoTime() < until; i++) {
            write(out, "x");
            try {
                Thread.sleep(everyMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Test void aPeerTricklingItsResultIsCutAtTheDeadlineQuarantinedAndDoesNotHoldUpTheHonestOne() throws Exception {
        try (ResultsExchange honest = serving(Duration.ofSeconds(5));
             ResultsExchange fetcher = new ResultsExchange("127.0.0.1", -1, () -> "{}", 1 << 20, Duration.ofMillis(1500));
             Rogue slow = new Rogue(out -> {
                 write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                 trickle(out, 1000, 500); // 1 byte per 0.5 s
             })) {
            long t0 = System.nanoTime();
            Map<URI, ResultsExchange.Fetched> got = fetcher.fetchAll(List.of(slow.url(), honest.localUrl()), 7);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis < 3_000, "the whole fetch is bounded by its deadline: " + millis + " ms");
            assertArrayEquals(BUNDLE, ((ResultsExchange.Fetched.Body) got.get(honest.localUrl())).bytes());
            ResultsExchange.Fetched rogue = got.get(slow.url());
            assertTrue(rogue instanceof ResultsExchange.Fetched.Misbehaved, String.valueOf(rogue));
            assertTrue(fetcher.isQuarantined(slow.url()));
            assertTrue(fetcher.misbehaving().get(slow.url()).contains("did not arrive within 1500 ms"), fetcher.misbehaving().toString());
            // quarantined: not asked again; the honest peer still is
            Map<URI, ResultsExchange.Fetched> again = fetcher.fetchAll(List.of(slow.url(), honest.localUrl()), 7);
            assertEquals(List.of(honest.localUrl()), List.copyOf(again.keySet()));
        }
    }

    @Test void aPeerAnnouncingOrSendingTooMuchIsCutWithoutBufferingIt() throws Exception {
        try (ResultsExchange fetcher = new ResultsExchange("127.0.0.1", -1, () -> "{}", 1 << 20, Duration.ofSeconds(5));
             Rogue announces = new Rogue(out -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 600000000\r\n\r\n"));
             Rogue streams = new Rogue(out -> {
                 write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                 String chunk = "10000\r\n" + "y".repeat(0x10000) + "\r\n";
                 for (int i = 0; i < 64; i++) write(out, chunk); // 4 MiB, over the 1 MiB limit
             })) {
            long t0 = System.nanoTime();
            Map<URI, ResultsExchange.Fetched> got = fetcher.fetchAll(List.of(announces.url(), streams.url()), 7);
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 4_000);
            assertTrue(((ResultsExchange.Fetched.Misbehaved) got.get(announces.url())).why().contains("600000000 bytes"));
            assertTrue(((ResultsExchange.Fetched.Misbehaved) got.get(streams.url())).why().contains("more than 1048576 bytes"));
        }
    }

    @Test void slowAndJunkConnectionsDoNotStopTheServerAnsweringOthers() throws Exception {
        try (ResultsExchange server = serving(Duration.ofSeconds(5));
             ResultsExchange other = new ResultsExchange("127.0.0.1", -1, () -> "{}", 1 << 20, Duration.ofSeconds(3))) {
            int port = server.localUrl().getPort();
            List<Socket> hostile = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            try {
                for (int i = 0; i < 40; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                    s.getOutputStream().write(i % 2 == 0 ? "GET /peers HTTP/1.1\r\nX: ".getBytes(StandardCharsets.US_ASCII)
                            : "\u0000\u0001junk".getBytes(StandardCharsets.ISO_8859_1));
                    hostile.add(s);
                }
                Thread trickler = new Thread(() -> {
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                    while (!stop.get() && System.nanoTime() < until) {
                        for (Socket s : hostile) {
                            try {
                                s.getOutputStream().write('a');
                            } catch (IOException cut) {
                                // cut by the server
                            }
                        }
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                trickler.setDaemon(true);
                trickler.start();
                Thread.sleep(1_300); // the slow ones are now the oldest waiting
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    ResultsExchange.Fetched peers = other.get(server.localUrl().resolve("/peers"), Duration.ofSeconds(3), 4096);
                    assertTrue(peers instanceof ResultsExchange.Fetched.Body, "GET /peers " + i + ": " + peers);
                    Map<URI, ResultsExchange.Fetched> results = other.fetchAll(List.of(server.localUrl()), 7);
                    assertArrayEquals(BUNDLE, ((ResultsExchange.Fetched.Body) results.get(server.localUrl())).bytes());
                    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 3_000);
                }
            } finally {
                stop.set(true);
                for (Socket s : hostile) s.close();
            }
        }
    }
}
