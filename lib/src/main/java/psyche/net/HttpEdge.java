package psyche.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Our one network edge: a Jetty 12 server (NIO, HTTP/1.1, RFC 6455 WebSocket) with the limits every server we run
 * needs, taking either a blocking request/response {@link Handler} (JSON-RPC, the training sessions' results
 * exchange) or WebSocket endpoints (PubSub). Parsing, framing, keep-alive, pipelining, chunked bodies,
 * {@code Expect: 100-continue}, HEAD and the WebSocket upgrade are Jetty's.
 *
 * <p>Refused requests get a JSON-RPC shaped answer and the connection closes: 400 (malformed request line, headers or
 * chunk framing, head over {@value #MAX_HEAD_BYTES} bytes), 408 (head or body not complete within its deadline), 413
 * (body over the limit, refused from its declared length without reading it), 501 (a transfer coding other than
 * chunked), 505 (not HTTP/1.x).
 *
 * <p>No one connection can hold the server: a request head must arrive whole within the head timeout and its body
 * within the body timeout (however slowly the bytes trickle in), a large response must be taken within the write
 * timeout, and when the server (or one address) is at its connection limit, a new connection takes the slot of the
 * connection that has waited longest without completing a request (over {@value #EVICTABLE_AFTER_MILLIS} ms), so
 * slow or idle clients cannot lock others out; only when every connection is busy is the newcomer answered 503. An
 * idle connection holds no thread.
 */
public final class HttpEdge implements AutoCloseable {
    /** One request: method as sent (e.g. "POST"), path without query, body (empty when none). */
    public record Request(String method, String path, byte[] body) {}

    /** One response: status, content type (null: no Content-Type header), body. */
    public record Response(int status, String contentType, byte[] body) {
        public Response {
            Objects.requireNonNull(body, "body");
        }
    }

    /** Answers requests; called on a server thread, so it may block (e.g. until a commit is durable). */
    public interface Handler {
        Response handle(Request request);
    }

    /**
     * Answers the requests it takes without holding a thread while it waits: called on the I/O thread that read the
     * request, it returns null for a request it does not take (the {@link Handler} answers it), or a stage whose
     * response is written when it completes, from whatever thread completes it. It must not block.
     */
    public interface AsyncHandler {
        java.util.concurrent.CompletionStage<Response> handle(Request request);
    }

    /** Solana's RPC limit on request bodies (rpc_service.rs MAX_REQUEST_BODY_SIZE). */
    public static final int DEFAULT_MAX_BODY_BYTES = 50 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** As com.sun.net.httpserver's default idle interval: long enough for pooled clients, short enough to free slots. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** A whole request head must arrive within this, from its first byte. */
    public static final Duration DEFAULT_HEAD_TIMEOUT = Duration.ofSeconds(10);
    /** A whole request body must arrive within this, from the end of its head. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    /** A whole response must be taken by the client within this. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** A connection waiting this long for a complete request may lose its slot to a newcomer when the server is full. */
    public static final long EVICTABLE_AFTER_MILLIS = 1_000;
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(5);
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** Responses up to this size fit the socket's send buffer: written without a deadline timer. */
    private static final int SMALL_RESPONSE = 1 << 16;
    /** After an error answer, how long a connection may still send (drained) before it is closed. */
    private static final long LINGER_MILLIS = 1_000;

    private final Handler handler; // null: WebSocket only
    private final Predicate<Request> quick;
    private final AsyncHandler async; // null: none
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final int maxBodyBytes;
    private final long headTimeoutNanos;
    private final long headTimeoutMillis;
    private final long bodyTimeoutNanos;
    private final long bodyTimeoutMillis;
    private final long writeTimeoutMillis;
    private final Server server;
    private final ServerConnector connector;
    private final Scheduler scheduler;
    private final Map<EndPoint, Slot> slots = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicInteger evictions = new AtomicInteger();
    private final Object admission = new Object();
    private final long closeGraceNanos;
    private final EdgeThreads threads;
    private int port;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    private HttpEdge(Builder b) {
        this.handler = b.handler;
        this.quick = b.quick;
        this.async = b.async;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerAddress = Math.min(b.maxConnectionsPerAddress, b.maxConnections);
        this.maxBodyBytes = b.maxBodyBytes;
        this.headTimeoutNanos = b.headTimeout.toNanos();
        this.headTimeoutMillis = b.headTimeout.toMillis();
        this.bodyTimeoutNanos = b.bodyTimeout.toNanos();
        this.bodyTimeoutMillis = b.bodyTimeout.toMillis();
        this.writeTimeoutMillis = b.writeTimeout.toMillis();
        boolean webSocket = b.webSocket != null;

        // blocking handlers hold a thread each: one per admitted connection, plus Jetty's acceptor and selector
        int maxThreads = webSocket ? b.maxThreads : Math.max(b.maxThreads, maxConnections + 8);
        EdgeThreads threads = new EdgeThreads(maxThreads);
        threads.setName(b.threadName);
        threads.setDaemon(true);
        threads.setStopTimeout(webSocket ? b.closeGrace.toMillis() : 0); // see close()
        this.threads = threads;
        scheduler = new ScheduledExecutorScheduler(b.threadName + "-scheduler", true);
        server = new Server(threads, scheduler, null);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(webSocket ? b.maxHeadBytes : MAX_HEAD_BYTES);
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setSendXPoweredBy(false);
        http.setDelayDispatchUntilContent(true); // a small POST is handled when its body is there: no thread waits for it
        HttpConnectionFactory factory = webSocket ? new HttpConnectionFactory(http) : new AdmittingFactory(http);
        // two selectors even on 2 cores (Jetty's default there is one): cheap calls are answered on the selector
        // threads (see Adapter), and one selector made one core the ceiling (getHealth, 48 keep-alive clients, fresh
        // server per window: median 43.5-45.5k req/s with one selector, 49-50k with two, same warm-up, alternated)
        connector = new ServerConnector(server, 1, 2, factory);
        connector.setHost(b.host == null ? "127.0.0.1" : b.host);
        connector.setPort(b.port);
        connector.setIdleTimeout(b.idleTimeout.toMillis());
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        if (webSocket) {
            // upgraded connections live on past their HTTP connection: bounded where they are accepted
            server.addBean(new NetworkConnectionLimit(maxConnections, connector));
            server.setHandler(WebSocketUpgradeHandler.from(server, b.webSocket));
        } else {
            server.setHandler(new Adapter());
            server.setErrorHandler(new JsonRpcErrors());
        }
        server.setStopTimeout(0); // close() closes every connection at once, then waits for handlers in flight
        this.closeGraceNanos = b.closeGrace.toNanos();
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // it did not start
            }
            String where = (b.host == null ? "127.0.0.1" : b.host) + ":" + b.port;
            String why = e.getCause() != null && e.getMessage() != null && e.getMessage().startsWith("Failed to bind")
                    ? e.getCause().getMessage() : e.getMessage();
            throw new UncheckedIOException("cannot listen on " + where + " (" + why + ")",
                    e instanceof IOException io ? io : new IOException(e));
        }
        port = connector.getLocalPort();
        if (!webSocket) scheduleSweep();
    }

    public static Builder builder() { return new Builder(); }

    /** The port listened on (still known after {@link #close()}). */
    public int port() { return port; }

    /** The address the server listens on (a wildcard when bound to all interfaces). */
    public InetAddress address() {
        return ((ServerSocketChannel) connector.getTransport()).socket().getInetAddress();
    }

    /** Connections open now (tests, diagnostics; plain HTTP only). */
    public int openConnections() { return slots.size(); }

    /** Connections closed so far to make room for a newcomer (tests, diagnostics). */
    public int evictions() { return evictions.get(); }

    /**
     * Stops accepting, closes every open connection (idle or mid-request) and waits up to the close grace for
     * handlers still running; past it they are left to finish on their own (daemon threads whose answers go nowhere).
     */
    @Override public void close() {
        if (closed) return;
        closed = true;
        try {
            connector.stop(); // no new connections; open ones are closed
        } catch (Exception e) {
            // stopping: closed below either way
        }
        for (Slot s : slots.values()) s.endPoint.close();
        slots.clear();
        perAddress.clear();
        long deadline = System.nanoTime() + closeGraceNanos;
        try {
            while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a handler still running past the grace is never interrupted (it may be writing the ledger): its thread
        // finishes on its own; otherwise the pool's threads are joined, so close() leaves none behind
        if (handler != null && inFlight.get() == 0) threads.setStopTimeout(closeGraceNanos / 1_000_000 + 1);
        try {
            server.stop();
        } catch (Exception e) {
            // stopping: connections are closed either way
        }
    }

    /**
     * Jetty's pool, except for what happens after an answer written on a thread other than the one that read the
     * request (a pool thread for a blocking handler, the ledger's log flusher for an asynchronous one): Jetty then
     * resumes the connection (to read its next request) by handing it to a pool thread, which mostly finds nothing
     * yet and asks the selector to watch the connection. Here the thread that wrote the answer resumes it itself,
     * once the write has returned: no hand-off, no pool thread woken. Measured on a 2-core machine, durable
     * sendTransaction (16 senders, alternated windows): the hand-off and its wake-ups were ~15% of the edge's CPU.
     */
    private static final class EdgeThreads extends QueuedThreadPool {
        /** The resumptions the answer being written on this thread asked for (null: not writing an answer here). */
        private static final ThreadLocal<java.util.List<Runnable>> DEFERRED = new ThreadLocal<>();
        /** True while this thread, which is not a pool thread, resumes a connection. */
        private static final ThreadLocal<Boolean> ELSEWHERE = new ThreadLocal<>();

        EdgeThreads(int maxThreads) {
            super(maxThreads, 2);
        }

        @Override public void execute(Runnable job) {
            java.util.List<Runnable> deferred = DEFERRED.get();
            if (deferred != null && job instanceof HttpConnection) {
                deferred.add(job);
                return;
            }
            super.execute(job);
        }

        /**
         * Runs {@code write}, then the connection resumptions it asked for, on this thread. {@code foreign}: this is
         * not a pool thread, so a request found already there is handed to the pool ({@link #resumingElsewhere}).
         */
        void resumingHere(Runnable write, boolean foreign) {
            java.util.List<Runnable> deferred = new java.util.ArrayList<>(1);
            DEFERRED.set(deferred);
            try {
                write.run();
            } finally {
                DEFERRED.remove();
            }
            for (Runnable resume : deferred) {
                if (foreign) ELSEWHERE.set(Boolean.TRUE);
                try {
                    resume.run();
                } catch (RuntimeException e) {
                    // as on a pool thread: the connection's own failure handling has run; nothing to tell the writer
                } finally {
                    if (foreign) ELSEWHERE.remove();
                }
            }
        }

        static boolean resumingElsewhere() { return ELSEWHERE.get() != null; }
    }

    // ---- admission: connection limits, eviction, 503 ------------------------------------------------------------

    /** One admitted connection: its address, and since when it has waited for a complete request (0: being served). */
    private final class Slot {
        final EndPoint endPoint;
        final InetAddress address;
        volatile Connection connection;
        volatile long waitingSince = System.nanoTime();
        volatile long bytesAtWait;
        volatile long headStartedAt; // 0: no byte of the next head seen yet
        volatile boolean evicted;

        Slot(EndPoint endPoint, InetAddress address) {
            this.endPoint = endPoint;
            this.address = address;
        }

        boolean evictable(long now) {
            long since = waitingSince;
            return since != 0 && !evicted && now - since >= TimeUnit.MILLISECONDS.toNanos(EVICTABLE_AFTER_MILLIS);
        }

        void serving() { waitingSince = 0; }

        void waiting() {
            Connection c = connection;
            bytesAtWait = c == null ? 0 : c.getBytesIn();
            headStartedAt = 0;
            waitingSince = System.nanoTime();
        }
    }

    private static InetAddress addressOf(EndPoint endPoint) {
        SocketAddress remote = endPoint.getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : InetAddress.getLoopbackAddress();
    }

    /** The connection (of {@code address}, or any when null) waiting longest for a complete request, if evictable. */
    private Slot evictionCandidate(InetAddress address) {
        long now = System.nanoTime();
        Slot best = null;
        for (Slot s : slots.values()) {
            if (address != null && !address.equals(s.address)) continue;
            if (s.evictable(now) && (best == null || s.waitingSince - best.waitingSince < 0)) best = s;
        }
        return best;
    }

    private int count(InetAddress a) {
        AtomicInteger n = perAddress.get(a);
        return n == null ? 0 : n.get();
    }

    private void release(Slot slot) {
        if (slots.remove(slot.endPoint, slot)) {
            AtomicInteger n = perAddress.get(slot.address);
            if (n != null && n.decrementAndGet() <= 0) perAddress.remove(slot.address, n);
        }
    }

    /** Jetty's HTTP/1.1 connections, admitted under our limits (or answered 503 when every slot is busy). */
    private final class AdmittingFactory extends HttpConnectionFactory {
        AdmittingFactory(HttpConfiguration http) {
            super(http);
        }

        @Override public Connection newConnection(Connector connector, EndPoint endPoint) {
            InetAddress address = addressOf(endPoint);
            Slot slot;
            synchronized (admission) {
                boolean addressFull = count(address) >= maxConnectionsPerAddress;
                int open = slots.size();
                if (addressFull || open >= maxConnections) {
                    // full: the slot of whoever has waited longest without completing a request goes to the newcomer
                    Slot victim = evictionCandidate(addressFull ? address : null);
                    if (victim == null || open >= maxConnections + 8) return new Refusal(endPoint, connector, addressFull);
                    victim.evicted = true;
                    evictions.incrementAndGet();
                    release(victim);
                    victim.endPoint.close();
                }
                slot = new Slot(endPoint, address);
                slots.put(endPoint, slot);
                perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            }
            StrictHttpConnection c = configure(new StrictHttpConnection(getHttpConfiguration(), connector, endPoint), connector, endPoint);
            c.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
            c.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
            slot.connection = c;
            c.addEventListener(new Connection.Listener() {
                @Override public void onClosed(Connection connection) { release(slot); }
            });
            return c;
        }
    }

    /** Jetty's HTTP/1.1 connection with a strict request line (see {@link StrictRequestLine}). */
    private static final class StrictHttpConnection extends HttpConnection {
        StrictHttpConnection(HttpConfiguration config, Connector connector, EndPoint endPoint) {
            super(config, connector, endPoint);
        }

        @Override protected HttpParser newHttpParser(HttpCompliance compliance) {
            HttpParser stock = super.newHttpParser(compliance);
            HttpParser strict = new StrictRequestLine((HttpParser.RequestHandler) stock.getHandler(),
                    getHttpConfiguration().getRequestHeaderSize(), compliance);
            strict.setHeaderCacheSize(getHttpConfiguration().getHeaderCacheSize());
            strict.setHeaderCacheCaseSensitive(getHttpConfiguration().isHeaderCacheCaseSensitive());
            return strict;
        }
    }

    /**
     * Jetty's parser, refusing before it parses them the request lines it would read leniently: anything but
     * {@code METHOD SP target SP HTTP/x.y} with single spaces and a token method is 400, an HTTP version other than
     * 1.0 and 1.1 is 505 (and a protocol that is not HTTP 400).
     */
    private static final class StrictRequestLine extends HttpParser {
        StrictRequestLine(HttpParser.RequestHandler handler, int maxHeaderBytes, HttpCompliance compliance) {
            super(handler, maxHeaderBytes, compliance);
        }

        @Override public boolean parseNext(ByteBuffer buffer) {
            if (isStart()) {
                String why = requestLineProblem(buffer);
                if (why != null) {
                    BufferUtil.clear(buffer);
                    badMessage(new HttpException.RuntimeException(why.startsWith("only HTTP") ? 505 : 400, why));
                    return false;
                }
            }
            return super.parseNext(buffer);
        }

        /** What is wrong with the first line in {@code buffer} (null: nothing, or not whole yet). */
        private static String requestLineProblem(ByteBuffer buffer) {
            int start = buffer.position();
            int end = -1;
            for (int i = start; i < buffer.limit(); i++) {
                if (buffer.get(i) == '\n') {
                    end = i;
                    break;
                }
            }
            while (start < end && (buffer.get(start) == '\r' || buffer.get(start) == '\n')) start++; // blank lines before a request are allowed
            if (end < 0 || start >= end) return null;
            if (buffer.get(end - 1) == '\r') end--;
            byte[] line = new byte[end - start];
            buffer.get(start, line);
            String text = new String(line, StandardCharsets.ISO_8859_1);
            int sp1 = text.indexOf(' ');
            int sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
            if (sp1 <= 0 || sp2 <= sp1 + 1 || text.indexOf(' ', sp2 + 1) >= 0) {
                return "malformed request line: expected METHOD SP target SP HTTP/1.1";
            }
            for (int k = 0; k < sp1; k++) {
                char ch = text.charAt(k);
                if (ch <= 0x20 || ch >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(ch) >= 0) return "malformed request method";
            }
            String target = text.substring(sp1 + 1, sp2);
            if (!target.startsWith("/") && !target.equals("*") && !target.startsWith("http://") && !target.startsWith("https://")) {
                return "malformed request target " + target;
            }
            String version = text.substring(sp2 + 1);
            if (version.equals("HTTP/1.1") || version.equals("HTTP/1.0")) return null;
            if (version.matches("HTTP/[0-9]\\.[0-9]")) return "only HTTP/1.0 and HTTP/1.1 are served, got " + version;
            return "malformed request line: unknown protocol " + version;
        }
    }

    /** Over the connection limit: answers 503 at once, drains what the client sends, closes a little later. */
    private final class Refusal extends AbstractConnection {
        private final boolean addressFull;

        Refusal(EndPoint endPoint, Connector connector, boolean addressFull) {
            super(endPoint, connector.getExecutor());
            this.addressFull = addressFull;
        }

        @Override public void onOpen() {
            super.onOpen();
            answerAndClose(getEndPoint(), 503, addressFull
                    ? "this server has " + maxConnectionsPerAddress + " connections open from your address, its limit per address, all busy: retry later, or reuse connections"
                    : "this server has " + maxConnections + " connections open, its limit, all busy: retry later, or reuse connections");
            fillInterested();
        }

        @Override public void onFillable() {
            ByteBuffer sink = BufferUtil.allocate(4096);
            try {
                while (true) {
                    BufferUtil.clear(sink);
                    int n = getEndPoint().fill(sink);
                    if (n < 0) {
                        getEndPoint().close();
                        return;
                    }
                    if (n == 0) break;
                }
                fillInterested();
            } catch (IOException e) {
                getEndPoint().close();
            }
        }
    }

    /** Writes a whole close-delimited error answer on a connection with no response in flight, then closes it. */
    private void answerAndClose(EndPoint endPoint, int status, String message) {
        Runnable closeLater = () -> {
            endPoint.shutdownOutput();
            try {
                scheduler.schedule(endPoint::close, LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RuntimeException stopped) {
                endPoint.close();
            }
        };
        endPoint.write(Callback.from(closeLater, failed -> endPoint.close()), ByteBuffer.wrap(errorResponse(status, message)));
    }

    // ---- head deadline --------------------------------------------------------------------------------------------

    private void scheduleSweep() {
        long every = Math.max(20, Math.min(100, headTimeoutMillis / 8));
        try {
            scheduler.schedule(() -> {
                if (closed) return;
                sweepHeads();
                scheduleSweep();
            }, every, TimeUnit.MILLISECONDS);
        } catch (RuntimeException stopped) {
            // closing
        }
    }

    /** A connection whose next request head has started but not completed within the head timeout: 408, closed. */
    private void sweepHeads() {
        long now = System.nanoTime();
        for (Slot s : slots.values()) {
            if (s.waitingSince == 0 || s.evicted) continue;
            Connection c = s.connection;
            if (c == null) continue;
            if (s.headStartedAt == 0) {
                if (c.getBytesIn() > s.bytesAtWait) s.headStartedAt = now;
            } else if (now - s.headStartedAt > headTimeoutNanos) {
                s.evicted = true;
                release(s);
                answerAndClose(s.endPoint, 408, "request head not complete within " + headTimeoutMillis + " ms");
            }
        }
    }

    // ---- requests -------------------------------------------------------------------------------------------------

    /** Why a request is refused before the handler sees it. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * Reads the body (bounded in size and time), calls the handler, writes its answer (bounded in time when large).
     *
     * <p>Declared NON_BLOCKING, so Jetty's selector runs it on the I/O thread that parsed the request instead of
     * handing every request to another thread (and then waking the selector again to watch the connection): on 2
     * cores that hand-off and wake-up cost more than a cheap JSON-RPC call (getHealth measured 49-83 us of server CPU
     * per request with the hand-off, 10-16 us without; the old thread-per-connection server 26-37 us). So nothing
     * here may block: the body is read with demand callbacks, and the handler, which may block, runs on a pool thread
     * unless {@link Builder#optQuick} says the request is cheap or the {@link Builder#optAsync asynchronous handler}
     * takes it (a durable commit: answered from the log's flush, no thread parked on it). An answer written off the
     * I/O thread resumes its connection on the writing thread ({@link EdgeThreads}).
     */
    private final class Adapter extends org.eclipse.jetty.server.Handler.Abstract {
        @Override public InvocationType getInvocationType() { return InvocationType.NON_BLOCKING; }

        @Override public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                        Callback callback) {
            if (EdgeThreads.resumingElsewhere()) {
                // a request already there when a connection is resumed on the thread that completed an asynchronous
                // answer (see EdgeThreads): that thread is not ours to hold (the ledger's log flusher), the pool takes it
                try {
                    threads.execute(() -> handle(request, response, callback));
                } catch (RejectedExecutionException stopped) {
                    callback.failed(stopped);
                }
                return true;
            }
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            Slot slot = slots.get(endPoint);
            if (slot != null) {
                if (slot.evicted) {
                    callback.failed(new IOException("connection closed by the server"));
                    return true;
                }
                slot.serving();
            }
            String codings = request.getHeaders().get(HttpHeader.TRANSFER_ENCODING);
            long declared = request.getLength();
            BodyReader reader = new BodyReader(request, response, callback, slot, declared);
            if (codings != null && !codings.trim().equalsIgnoreCase("chunked")) {
                reader.fail(new Refused(501, "transfer coding " + codings.trim() + " is not supported: send chunked or Content-Length"));
            } else if (declared > maxBodyBytes) {
                reader.fail(tooLarge(declared));
            } else {
                reader.run();
            }
            return true;
        }

        /**
         * The body complete: the handler is called here when quick; else the asynchronous handler, here too, when it
         * takes the request; else the handler on a pool thread.
         */
        private void serve(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                           Callback callback, Slot slot, byte[] body) {
            Request ours = new Request(request.getMethod(), request.getHttpURI().getPath(), body);
            boolean cheap;
            try {
                cheap = quick.test(ours);
            } catch (RuntimeException e) {
                cheap = false;
            }
            if (cheap) {
                answer(request, response, callback, slot, ours);
                return;
            }
            if (async != null && answerLater(request, response, callback, slot, ours)) return;
            try {
                threads.execute(() -> answer(request, response, callback, slot, ours));
            } catch (RejectedExecutionException stopped) {
                callback.failed(stopped);
            }
        }

        private void answer(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                            Callback callback, Slot slot, Request ours) {
            Response answer;
            inFlight.incrementAndGet();
            try {
                answer = handler.handle(ours);
            } catch (RuntimeException e) {
                answer = internalError(e);
            } finally {
                inFlight.decrementAndGet();
            }
            Response written = answer;
            threads.resumingHere(() -> respond(request, response, callback, slot, written), false);
        }

        /** Asks the asynchronous handler; false when it does not take the request. In flight until its stage completes. */
        private boolean answerLater(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                    Callback callback, Slot slot, Request ours) {
            java.util.concurrent.CompletionStage<Response> later;
            inFlight.incrementAndGet();
            try {
                later = async.handle(ours);
            } catch (RuntimeException e) {
                inFlight.decrementAndGet();
                respond(request, response, callback, slot, internalError(e));
                return true;
            }
            if (later == null) {
                inFlight.decrementAndGet();
                return false;
            }
            later.whenComplete((answer, failure) -> {
                inFlight.decrementAndGet();
                Throwable why = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                Response written = why != null ? internalError(why)
                        : answer != null ? answer : internalError(new NullPointerException("the handler answered null"));
                threads.resumingHere(() -> respond(request, response, callback, slot, written), true);
            });
            return true;
        }

        private static Response internalError(Throwable e) {
            return new Response(500, "application/json", errorBody(-32603, "Internal error: " + e));
        }

        /** Writes {@code answer} (bounded in time when large), then the connection waits for its next request. */
        private void respond(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                             Callback callback, Slot slot, Response answer) {
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            HttpFields.Mutable headers = response.getHeaders();
            response.setStatus(answer.status());
            if (answer.contentType() != null) headers.put(HttpHeader.CONTENT_TYPE, answer.contentType());
            headers.put(HttpHeader.CONTENT_LENGTH, answer.body().length);
            if (closesAfter(request)) headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            Callback done = slot == null ? callback : Callback.from(slot::waiting, callback);
            if (answer.body().length <= SMALL_RESPONSE) {
                response.write(true, ByteBuffer.wrap(answer.body()), done);
            } else {
                // a client that does not take a large answer within the write deadline is disconnected
                Scheduler.Task cut = scheduler.schedule(endPoint::close, writeTimeoutMillis, TimeUnit.MILLISECONDS);
                response.write(true, ByteBuffer.wrap(answer.body()), Callback.from(() -> {
                    cut.cancel();
                    done.succeeded();
                }, failed -> {
                    cut.cancel();
                    done.failed(failed);
                }));
            }
        }

        /** HTTP/1.0 closes unless asked to keep alive (Jetty's default for 1.0 says nothing; clients need to know). */
        private static boolean closesAfter(org.eclipse.jetty.server.Request request) {
            HttpFields fields = request.getHeaders();
            if (fields.contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString())) return true;
            return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_0
                    && !fields.contains(HttpHeader.CONNECTION, HttpHeaderValue.KEEP_ALIVE.asString());
        }

        private void answerError(org.eclipse.jetty.server.Response response, Callback callback, int status, String message) {
            byte[] body = errorBody(status == 503 ? -32603 : -32600, message);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        /**
         * Reads the whole body without blocking: 413 past the limit, 400 on broken framing, 408 when it is not complete
         * within the body deadline (a timer, set only when the body did not come with the head). Runs first on the
         * I/O thread, then as Jetty's demand callback; the timer and the reader race through {@code state}. After a
         * refusal, its own or one decided before any read ({@link #fail}: a transfer coding we do not serve, a declared
         * length past the limit), it drains what the client still sends for up to {@value #LINGER_MILLIS} ms, so that
         * closing does not reset the answer away (continuing a demand that may still be pending: Jetty allows one at a
         * time).
         */
        private final class BodyReader implements Runnable {
            private static final int READING = 0, DONE = 1, DRAINING = 2;
            private final org.eclipse.jetty.server.Request request;
            private final org.eclipse.jetty.server.Response response;
            private final Callback callback;
            private final Slot slot;
            private final long declared;
            private final AtomicInteger state = new AtomicInteger(READING);
            private byte[] body;
            private int size;
            private Scheduler.Task deadline;
            private final AtomicBoolean finished = new AtomicBoolean();
            private volatile boolean answered, drained; // the refusal written; the client's content ended

            BodyReader(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                       Callback callback, Slot slot, long declared) {
                this.request = request;
                this.response = response;
                this.callback = callback;
                this.slot = slot;
                this.declared = declared;
            }

            @Override public void run() {
                int now = state.get();
                if (now == DRAINING) drainSome();
                if (now != READING) return;
                // sized when reading starts: a refused request may declare more than may be allocated
                if (body == null) body = new byte[declared >= 0 ? (int) declared : Math.min(maxBodyBytes, 4096)];
                while (state.get() == READING) {
                    if (size == declared) { // all declared bytes are here (or none were declared): no need to wait for the end marker
                        complete();
                        return;
                    }
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        if (deadline == null) {
                            try {
                                deadline = scheduler.schedule(this::expire, bodyTimeoutMillis, TimeUnit.MILLISECONDS);
                            } catch (RuntimeException stopped) {
                                callback.failed(stopped);
                                return;
                            }
                        }
                        request.demand(this);
                        return;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        Throwable why = chunk.getFailure();
                        fail(new Refused(400, "malformed request body: " + (why == null ? "failed" : why.getMessage())));
                        return;
                    }
                    int n = chunk.remaining();
                    if ((long) size + n > maxBodyBytes) {
                        chunk.release();
                        fail(tooLarge((long) size + n));
                        return;
                    }
                    if (body.length < size + n) body = Arrays.copyOf(body, Math.min(maxBodyBytes, Math.max(size + n, body.length * 2)));
                    chunk.get(body, size, n);
                    size += n;
                    boolean last = chunk.isLast();
                    chunk.release();
                    if (last) {
                        complete();
                        return;
                    }
                }
            }

            private void complete() {
                if (!state.compareAndSet(READING, DONE)) return; // the deadline passed first
                if (deadline != null) deadline.cancel();
                serve(request, response, callback, slot, size == body.length ? body : Arrays.copyOf(body, size));
            }

            private void expire() {
                // a demand is pending: it goes on draining when more arrives
                refused(new Refused(408, "request body not complete within " + bodyTimeoutMillis + " ms"));
            }

            /** Refuses the request; called where no demand is pending (from {@link #run} or before any read). */
            private void fail(Refused why) {
                if (refused(why)) drainSome();
            }

            private boolean refused(Refused why) {
                if (!state.compareAndSet(READING, DRAINING)) return false;
                if (deadline != null) deadline.cancel();
                if (slot != null) slot.evicted = true;
                answerError(response, Callback.from(() -> {
                    answered = true;
                    if (drained) {
                        finish();
                        return;
                    }
                    try {
                        scheduler.schedule(this::finish, LINGER_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (RuntimeException stopped) {
                        finish();
                    }
                }, callback::failed), why.status, why.getMessage());
                return true;
            }

            private void drainSome() {
                while (!finished.get()) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        request.demand(this);
                        return;
                    }
                    boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
                    chunk.release();
                    if (end) {
                        drained = true;
                        if (answered) finish(); // else when the answer is written
                        return;
                    }
                }
            }

            /** Completes the request (Jetty then closes the connection: the answer said so) once the answer is written. */
            private void finish() {
                if (answered && finished.compareAndSet(false, true)) callback.succeeded();
            }
        }

        private Refused tooLarge(long length) {
            return new Refused(413, "request body of " + length + " bytes is over the limit of " + maxBodyBytes + " bytes");
        }
    }

    /** Jetty's own refusals (malformed head or chunks, unsupported coding or version) in JSON-RPC shape. */
    private static final class JsonRpcErrors extends ErrorHandler {
        @Override protected void generateResponse(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                                  int code, String message, Throwable cause, Callback callback) {
            // a head over the limit is a malformed request to us, as to every client of the old server
            int status = code == 431 ? 400 : code;
            byte[] body = errorBody(status == 503 || status >= 500 && status != 501 && status != 505 ? -32603 : -32600,
                    message == null ? "Status " + status : message);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            if (status >= 400 && status != 404 && status != 405) {
                response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            }
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        @Override public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            fields.put(new HttpField(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString()));
            return ByteBuffer.wrap(errorBody(-32600, reason == null ? "Status " + status : reason));
        }
    }

    /** A JSON-RPC 2.0 error with a null id. */
    public static byte[] errorBody(int code, String message) {
        StringBuilder json = new StringBuilder(64 + message.length()).append("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":")
                .append(code).append(",\"message\":\"");
        for (int i = 0; i < message.length(); i++) {
            char ch = message.charAt(i);
            if (ch == '"' || ch == '\\') json.append('\\').append(ch);
            else if (ch < 0x20) json.append(String.format("\\u%04x", (int) ch));
            else json.append(ch);
        }
        return json.append("\"},\"id\":null}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A complete close-delimited error answer, for connections that never got as far as a request. */
    private static byte[] errorResponse(int status, String message) {
        // ours (busy): Internal error; the client's (too slow): Invalid Request
        byte[] body = errorBody(status == 503 ? -32603 : -32600, message);
        String reason = status == 503 ? "Service Unavailable" : status == 408 ? "Request Timeout" : "Error";
        byte[] head = ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Options of a server: a handler or WebSocket endpoints are required, the rest have defaults. */
    public static final class Builder {
        private Handler handler;
        private Predicate<Request> quick = r -> false;
        private AsyncHandler async;
        private Consumer<ServerWebSocketContainer> webSocket;
        private int port;
        private String host; // null: loopback
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerAddress = Integer.MAX_VALUE;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxHeadBytes = MAX_HEAD_BYTES;
        private int maxThreads = 16;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration headTimeout = DEFAULT_HEAD_TIMEOUT;
        private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private String threadName = "psyche-http";
        private Duration closeGrace = DEFAULT_CLOSE_GRACE;

        private Builder() {}

        public Builder setHandler(Handler handler) { this.handler = Objects.requireNonNull(handler); return this; }

        /**
         * Requests this accepts are answered on the I/O thread that read them, with no hand-off to a pool thread
         * (default: none). Only for answers that never block (no lock, no I/O, no waiting) and take microseconds:
         * while one runs, no other connection of that I/O thread is served. It is called on the I/O thread too.
         */
        public Builder optQuick(Predicate<Request> quick) { this.quick = Objects.requireNonNull(quick); return this; }

        /**
         * Requests this takes are answered without a thread waiting for them (default: none): it is called on the I/O
         * thread for every request that is not {@link #optQuick quick}, returns null for those it does not take
         * (the handler answers them), else a stage whose response is written when it completes; a failed stage is
         * answered 500, as a handler that throws. Requests in flight here count for {@link HttpEdge#close()} as
         * handlers running do. Only for work that never blocks: it holds up that I/O thread's other connections.
         */
        public Builder optAsync(AsyncHandler async) { this.async = Objects.requireNonNull(async); return this; }

        /**
         * Serves WebSocket endpoints instead of a handler: {@code configure} maps paths to endpoints and sets the
         * container's limits. Connections beyond the limit wait to be accepted; the idle timeout bounds the upgrade.
         */
        public Builder setWebSocket(Consumer<ServerWebSocketContainer> configure) {
            this.webSocket = Objects.requireNonNull(configure);
            return this;
        }

        /** The address to listen on (default: loopback only); "0.0.0.0" exposes the server to the network. */
        public Builder optHost(String host) { this.host = Objects.requireNonNull(host); return this; }

        /** At most this many connections from one address (default: no limit beyond the total). */
        public Builder optMaxConnectionsPerAddress(int max) {
            if (max < 1) throw new IllegalArgumentException("max connections per address must be at least 1, got " + max);
            this.maxConnectionsPerAddress = max;
            return this;
        }

        /** How long a request head may take to arrive whole, from its first byte (default 10 s). */
        public Builder optHeadTimeout(Duration timeout) { this.headTimeout = positive(timeout, "head timeout"); return this; }

        /** How long a request body may take to arrive whole, from the end of its head (default 30 s). */
        public Builder optBodyTimeout(Duration timeout) { this.bodyTimeout = positive(timeout, "body timeout"); return this; }

        /** How long a client may take to read a whole response (default 30 s). */
        public Builder optWriteTimeout(Duration timeout) { this.writeTimeout = positive(timeout, "write timeout"); return this; }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive, got " + d);
            return d;
        }

        /** The port; 0 (the default) picks a free one. */
        public Builder optPort(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
            this.port = port;
            return this;
        }

        public Builder optMaxConnections(int max) {
            if (max < 1) throw new IllegalArgumentException("max connections must be at least 1, got " + max);
            this.maxConnections = max;
            return this;
        }

        public Builder optMaxBodyBytes(int max) {
            if (max < 0) throw new IllegalArgumentException("max body bytes must be >= 0, got " + max);
            this.maxBodyBytes = max;
            return this;
        }

        /** The largest request head (WebSocket servers; answered 431 past it). Handler servers allow 16 KiB. */
        public Builder optMaxHeadBytes(int max) {
            if (max < 1024) throw new IllegalArgumentException("max head bytes must be at least 1024, got " + max);
            this.maxHeadBytes = max;
            return this;
        }

        /** Server threads for WebSocket servers (default 16); handler servers get one per connection. */
        public Builder optMaxThreads(int max) {
            if (max < 4) throw new IllegalArgumentException("max threads must be at least 4, got " + max);
            this.maxThreads = max;
            return this;
        }

        /** How long a connection may sit silent (between or within requests) before it is closed. */
        public Builder optIdleTimeout(Duration timeout) { this.idleTimeout = positive(timeout, "idle timeout"); return this; }

        /** How long {@link #close()} waits for handlers still running (default 5 s). */
        public Builder optCloseGrace(Duration grace) {
            if (grace.isNegative()) throw new IllegalArgumentException("close grace must be >= 0, got " + grace);
            this.closeGrace = grace;
            return this;
        }

        public Builder optThreadName(String name) { this.threadName = Objects.requireNonNull(name); return this; }

        /** Binds and starts serving. */
        public HttpEdge start() {
            if ((handler == null) == (webSocket == null)) {
                throw new IllegalStateException("exactly one of setHandler(...) and setWebSocket(...) is required before start()");
            }
            return new HttpEdge(this);
        }
    }
}
