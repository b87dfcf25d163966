package psyche.chain.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 server (JSON-RPC on 127.0.0.1, and the training sessions' results exchange on any address): a
 * blocking accept loop and one thread per connection (at most {@code maxConnections}, and at most
 * {@code maxConnectionsPerAddress} from one address), keep-alive unless the client says {@code Connection:
 * close} or speaks HTTP/1.0, request bodies framed by Content-Length or chunked, and each response written with one
 * write. Why not {@code com.sun.net.httpserver}: its single dispatcher thread, selector re-registration and executor
 * hand-off cost more per request than the whole JSON-RPC call on a small machine.
 *
 * <p>Protocol errors close the connection after a JSON-RPC shaped answer: 400 (malformed request line, headers or
 * chunk framing), 408 (head or body not complete within its deadline), 413 (body over the limit), 501 (a transfer
 * coding other than chunked), 505 (not HTTP/1.x).
 *
 * <p>No one connection can hold the server: a request head must arrive whole within the head timeout and its body
 * within the body timeout (however slowly the bytes trickle in), a response must be taken within the write timeout,
 * and when the server (or one address) is at its connection limit, a new connection takes the slot of the connection
 * that has waited longest without completing a request (over {@value #EVICTABLE_AFTER_MILLIS} ms), so slow or idle
 * clients cannot lock others out; only when every connection is busy is the newcomer answered 503.
 */
public final class LoopbackHttpServer implements AutoCloseable {
    /** One request: method as sent (e.g. "POST"), path without query, body (empty when none). */
    public record Request(String method, String path, byte[] body) {}

    /** One response: status, content type (null: no Content-Type header), body. */
    public record Response(int status, String contentType, byte[] body) {
        public Response {
            Objects.requireNonNull(body, "body");
        }
    }

    /** Answers requests; called on the connection's thread, so it may block (e.g. until a commit is durable). */
    public interface Handler {
        Response handle(Request request);
    }

    /** Solana's RPC limit on request bodies (rpc_service.rs MAX_REQUEST_BODY_SIZE). */
    static final int DEFAULT_MAX_BODY_BYTES = 50 * 1024;
    static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** As com.sun.net.httpserver's default idle interval: long enough for pooled clients, short enough to free threads. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** A whole request head must arrive within this, from its first byte. */
    static final Duration DEFAULT_HEAD_TIMEOUT = Duration.ofSeconds(10);
    /** A whole request body must arrive within this, from the end of its head. */
    static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    /** A whole response must be taken by the client within this. */
    static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** A connection waiting this long for a complete request may lose its slot to a newcomer when the server is full. */
    static final long EVICTABLE_AFTER_MILLIS = 1_000;
    private static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final int MAX_CHUNK_LINE = 1024;
    /** After an error answer, how long to drain what the client still sends so that closing does not reset the answer. */
    private static final int LINGER_MILLIS = 1_000;
    private static final long LINGER_DRAIN_BYTES = 1 << 20;
    static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(5);

    private final Handler handler;
    private final int maxConnections;
    private final int maxBodyBytes;
    private final int idleTimeoutMillis;
    private final long headTimeoutNanos;
    private final long bodyTimeoutNanos;
    private final long writeTimeoutMillis;
    private final int maxConnectionsPerAddress;
    private final long closeGraceMillis;
    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final ExecutorService connectionThreads;
    private final ScheduledExecutorService rejectedCloser;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<Socket, Slot> slots = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicInteger evictions = new AtomicInteger();
    private final Set<Socket> rejected = ConcurrentHashMap.newKeySet(); // answered 503, closing soon
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean closed;

    private LoopbackHttpServer(Builder b) {
        this.handler = b.handler;
        this.maxConnections = b.maxConnections;
        this.maxBodyBytes = b.maxBodyBytes;
        this.idleTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, b.idleTimeout.toMillis());
        this.headTimeoutNanos = b.headTimeout.toNanos();
        this.bodyTimeoutNanos = b.bodyTimeout.toNanos();
        this.writeTimeoutMillis = b.writeTimeout.toMillis();
        this.maxConnectionsPerAddress = Math.min(b.maxConnectionsPerAddress, b.maxConnections);
        this.closeGraceMillis = b.closeGrace.toMillis();
        InetAddress bind;
        try {
            bind = b.host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(b.host);
            serverSocket = new ServerSocket(b.port, 1024, bind);
        } catch (IOException e) {
            String where = (b.host == null ? "127.0.0.1" : b.host) + ":" + b.port;
            throw new UncheckedIOException("cannot listen on " + where + " (" + e.getMessage() + ")", e);
        }
        String name = b.threadName;
        AtomicInteger threadIds = new AtomicInteger();
        // threads are bounded by the connection count (checked before each hand-off), plus slack for threads that
        // have released their connection but not yet gone back to the pool
        connectionThreads = new ThreadPoolExecutor(0, maxConnections + 16, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ScheduledThreadPoolExecutor closer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name + "-reject");
            t.setDaemon(true);
            return t;
        });
        rejectedCloser = closer;
        acceptor = new Thread(this::acceptLoop, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static Builder builder() { return new Builder(); }

    public int port() { return serverSocket.getLocalPort(); }

    /** The address the server listens on (a wildcard when bound to all interfaces). */
    public InetAddress address() { return serverSocket.getInetAddress(); }

    /** Connections open now (tests). */
    int openConnections() { return open.size(); }

    /** Connections closed so far to make room for a newcomer (tests, diagnostics). */
    public int evictions() { return evictions.get(); }

    /** One admitted connection: its address, and since when it has waited for a complete request (0: being served). */
    private static final class Slot {
        final Socket socket;
        final InetAddress address;
        volatile long waitingSince = System.nanoTime();
        volatile boolean evicted;

        Slot(Socket socket) {
            this.socket = socket;
            this.address = socket.getInetAddress();
        }

        boolean evictable(long now) {
            long since = waitingSince;
            return since != 0 && !evicted && now - since >= TimeUnit.MILLISECONDS.toNanos(EVICTABLE_AFTER_MILLIS);
        }
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

    private static int count(Map<InetAddress, AtomicInteger> counts, InetAddress a) {
        AtomicInteger n = counts.get(a);
        return n == null ? 0 : n.get();
    }

    /**
     * Stops accepting, closes every open connection (idle or mid-request) and waits up to the close grace for
     * handlers still running. Those are not interrupted (a handler may be writing the ledger): past the grace they
     * finish on their own, daemon threads whose answers go nowhere.
     */
    @Override public void close() {
        if (closed) return;
        closed = true;
        try { serverSocket.close(); } catch (IOException ignored) { /* closing */ }
        try {
            acceptor.join(closeGraceMillis);
            for (Socket s : open) closeQuietly(s);
            connectionThreads.shutdown();
            rejectedCloser.shutdownNow();
            for (Socket s : rejected) closeQuietly(s);
            connectionThreads.awaitTermination(closeGraceMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (closed) return;
                continue; // e.g. too many open files: the next accept may succeed
            }
            InetAddress address = socket.getInetAddress();
            boolean addressFull = count(perAddress, address) >= maxConnectionsPerAddress;
            if (addressFull || active.get() >= maxConnections) {
                // full: the slot of whoever has waited longest without completing a request goes to the newcomer
                Slot victim = evictionCandidate(addressFull ? address : null);
                if (victim == null || active.get() >= maxConnections + 8) {
                    reject(socket, addressFull);
                    continue;
                }
                victim.evicted = true;
                evictions.incrementAndGet();
                closeQuietly(victim.socket); // its thread ends at once and frees the slot
            }
            active.incrementAndGet();
            perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            Slot slot = new Slot(socket);
            open.add(socket);
            slots.put(socket, slot);
            try {
                connectionThreads.execute(() -> serve(slot));
            } catch (RejectedExecutionException e) {
                release(slot);
                reject(socket, false);
            }
        }
    }

    private void release(Slot slot) {
        open.remove(slot.socket);
        slots.remove(slot.socket);
        active.decrementAndGet();
        AtomicInteger n = perAddress.get(slot.address);
        if (n != null && n.decrementAndGet() <= 0) perAddress.remove(slot.address, n);
    }

    /** Over the connection limit: answer 503 at once, and close a little later so the answer is read before any reset. */
    private void reject(Socket socket, boolean addressFull) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(errorResponse(503, addressFull
                    ? "this server has " + maxConnectionsPerAddress + " connections open from your address, its limit per address, all busy: retry later, or reuse connections"
                    : "this server has " + maxConnections + " connections open, its limit, all busy: retry later, or reuse connections"));
            socket.shutdownOutput();
            rejected.add(socket);
            rejectedCloser.schedule(() -> {
                closeQuietly(socket);
                rejected.remove(socket);
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (IOException | RejectedExecutionException e) {
            closeQuietly(socket);
            rejected.remove(socket);
        }
    }

    private static void closeQuietly(Socket s) {
        try { s.close(); } catch (IOException ignored) { /* closing */ }
    }

    /** Answers one error and ends the connection (the request framing can no longer be trusted). */
    private static final class ProtocolError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        ProtocolError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void serve(Slot slot) {
        Socket socket = slot.socket;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(idleTimeoutMillis);
            Connection c = new Connection(socket, socket.getInputStream(), socket.getOutputStream());
            while (!closed) {
                Request request;
                boolean keepAlive;
                slot.waitingSince = System.nanoTime();
                try {
                    if (!c.readHead()) break; // clean end between requests (or idle timeout)
                    keepAlive = c.keepAlive;
                    request = new Request(c.method, c.path, c.readBody());
                } catch (ProtocolError e) {
                    slot.waitingSince = 0;
                    c.writeWithin(errorResponse(e.status, e.getMessage()), writeTimeoutMillis);
                    lingeringClose(socket);
                    return;
                }
                slot.waitingSince = 0; // being served: never evicted
                Response response;
                try {
                    response = handler.handle(request);
                } catch (RuntimeException e) {
                    response = new Response(500, "application/json", errorBody(-32603, "Internal error: " + e));
                }
                c.writeResponse(response, keepAlive, "HEAD".equals(request.method()));
                if (!keepAlive) {
                    lingeringClose(socket);
                    return;
                }
            }
        } catch (SocketTimeoutException | SocketException e) {
            // idle too long mid-request, client reset, or closed by close()
        } catch (IOException e) {
            // client went away
        } finally {
            closeQuietly(socket);
            release(slot);
        }
    }

    /** Half-closes, then reads (bounded) what the client still sends, so that closing does not reset our answer away. */
    private static void lingeringClose(Socket socket) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_MILLIS);
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[8192];
            long drained = 0;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            int n;
            while (drained < LINGER_DRAIN_BYTES && System.nanoTime() < deadline && (n = in.read(sink)) > 0) drained += n;
        } catch (IOException ignored) {
            // the client closed or timed out: either way we are done
        }
    }

    static byte[] errorBody(int code, String message) {
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

    /** A complete close-delimited error answer (status line, headers and JSON-RPC error body). */
    static byte[] errorResponse(int status, String message) {
        // the client's fault (malformed, too large, unsupported framing): Invalid Request; ours (busy): Internal error
        byte[] body = errorBody(status == 503 ? -32603 : -32600, message);
        byte[] head = ("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Payload Too Large";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Per-connection parser state over one input buffer; not thread-safe (one thread per connection). */
    private final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private byte[] buf = new byte[8192];
        private int pos; // next unread byte
        private int lim; // end of buffered bytes
        private byte[] outBuf = new byte[4096];

        // the current request's head
        String method;
        String path;
        boolean keepAlive;
        private long contentLength;
        private boolean chunked;
        private boolean expectContinue;
        private boolean http11;

        // the deadline of what is being read now (System.nanoTime), or 0 while idle between requests
        private long deadline;
        private String deadlineWhat;

        Connection(Socket socket, InputStream in, OutputStream out) {
            this.socket = socket;
            this.in = in;
            this.out = out;
        }

        private void startDeadline(long timeoutNanos, String what) {
            deadline = System.nanoTime() + timeoutNanos;
            deadlineWhat = what;
        }

        /** Before each blocking read: the socket timeout is what remains of the deadline (408 once it has passed). */
        private void armRead() throws IOException, ProtocolError {
            if (deadline == 0) {
                socket.setSoTimeout(idleTimeoutMillis);
                return;
            }
            long leftNanos = deadline - System.nanoTime();
            if (leftNanos <= 0) throw new ProtocolError(408, deadlineWhat);
            long left = (leftNanos + 999_999) / 1_000_000; // rounded up: the timeout fires at or after the deadline
            socket.setSoTimeout((int) Math.min(left, idleTimeoutMillis));
        }

        private int read(byte[] b, int off, int len) throws IOException, ProtocolError {
            armRead();
            try {
                return in.read(b, off, len);
            } catch (SocketTimeoutException timeout) {
                if (deadline != 0 && System.nanoTime() - deadline >= -TimeUnit.MILLISECONDS.toNanos(2)) {
                    throw new ProtocolError(408, deadlineWhat);
                }
                throw timeout; // silent past the idle timeout
            }
        }

        /** Reads more input after {@code lim}; false at end of stream. */
        private boolean fill() throws IOException, ProtocolError {
            if (lim == buf.length) {
                if (pos > 0) {
                    System.arraycopy(buf, pos, buf, 0, lim - pos);
                    lim -= pos;
                    pos = 0;
                } else {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
            }
            int n = read(buf, lim, buf.length - lim);
            if (n < 0) return false;
            lim += n;
            return true;
        }

        /**
         * Reads and parses a request line and headers. False when the client closed (or stayed idle past the timeout)
         * before sending anything: the normal end of a keep-alive connection.
         */
        boolean readHead() throws IOException, ProtocolError {
            // tolerate empty lines before the request line (RFC 9112 §2.2)
            int headStart;
            int headEnd;
            deadline = 0;
            while (true) {
                while (pos < lim && (buf[pos] == '\r' || buf[pos] == '\n')) pos++;
                if (deadline == 0 && pos < lim) {
                    startDeadline(headTimeoutNanos, "request head not complete within " + TimeUnit.NANOSECONDS.toMillis(headTimeoutNanos) + " ms");
                }
                headStart = pos;
                headEnd = findHeadEnd(headStart);
                if ((headEnd < 0 ? lim : headEnd) - headStart > MAX_HEAD_BYTES) {
                    throw new ProtocolError(400, "request head over " + MAX_HEAD_BYTES + " bytes");
                }
                if (headEnd >= 0) break;
                boolean nothingYet = pos == lim;
                try {
                    if (!fill()) {
                        if (nothingYet) return false;
                        throw new ProtocolError(400, "connection closed in the middle of a request head");
                    }
                } catch (SocketTimeoutException idle) {
                    if (nothingYet) return false;
                    throw idle;
                }
            }
            parseHead(headStart, headEnd);
            startDeadline(bodyTimeoutNanos, "request body not complete within " + TimeUnit.NANOSECONDS.toMillis(bodyTimeoutNanos) + " ms");
            return true;
        }

        /** Index just past the blank line ending the head starting at {@code from}, or -1 if not buffered yet. */
        private int findHeadEnd(int from) {
            for (int i = from; i < lim; i++) {
                if (buf[i] != '\n') continue;
                // LF followed by CRLF or LF ends the head
                if (i + 1 < lim && buf[i + 1] == '\n') return i + 2;
                if (i + 2 < lim && buf[i + 1] == '\r' && buf[i + 2] == '\n') return i + 3;
            }
            return -1;
        }

        private void parseHead(int start, int end) throws ProtocolError {
            pos = end;
            int lineEnd = lineEnd(start, end);
            parseRequestLine(start, lineEnd);
            contentLength = -1;
            chunked = false;
            expectContinue = false;
            boolean close = false;
            boolean keepAliveAsked = false;
            int i = next(lineEnd, end);
            while (i < end) {
                int e = lineEnd(i, end);
                if (e == i) break; // the blank line
                if (buf[i] == ' ' || buf[i] == '\t') throw new ProtocolError(400, "obsolete header line folding is not accepted");
                int colon = -1;
                for (int k = i; k < e; k++) {
                    if (buf[k] == ':') { colon = k; break; }
                }
                if (colon <= i) throw new ProtocolError(400, "malformed header line (no name: value)");
                for (int k = i; k < colon; k++) {
                    if (!isTokenChar(buf[k])) throw new ProtocolError(400, "malformed header name");
                }
                int vs = colon + 1;
                int ve = e;
                while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t')) vs++;
                while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) ve--;
                int nameLength = colon - i;
                if (nameIs(i, nameLength, "content-length")) {
                    long length = parseContentLength(vs, ve);
                    if (contentLength >= 0 && contentLength != length) throw new ProtocolError(400, "conflicting Content-Length headers");
                    contentLength = length;
                } else if (nameIs(i, nameLength, "transfer-encoding")) {
                    String coding = ascii(vs, ve).trim();
                    if (!coding.equalsIgnoreCase("chunked")) {
                        throw new ProtocolError(501, "Transfer-Encoding " + coding + " is not supported; send chunked or a Content-Length");
                    }
                    chunked = true;
                } else if (nameIs(i, nameLength, "connection")) {
                    for (String token : ascii(vs, ve).split(",")) {
                        String t = token.trim();
                        if (t.equalsIgnoreCase("close")) close = true;
                        else if (t.equalsIgnoreCase("keep-alive")) keepAliveAsked = true;
                    }
                } else if (nameIs(i, nameLength, "expect")) {
                    expectContinue = ascii(vs, ve).trim().equalsIgnoreCase("100-continue");
                }
                i = next(e, end);
            }
            if (chunked && contentLength >= 0) throw new ProtocolError(400, "both Content-Length and Transfer-Encoding given");
            keepAlive = !close && (http11 || keepAliveAsked);
        }

        private void parseRequestLine(int start, int end) throws ProtocolError {
            int sp1 = indexOf(' ', start, end);
            int sp2 = sp1 < 0 ? -1 : indexOf(' ', sp1 + 1, end);
            if (sp1 <= start || sp2 <= sp1 + 1 || indexOf(' ', sp2 + 1, end) >= 0) {
                throw new ProtocolError(400, "malformed request line: expected METHOD SP target SP HTTP/1.1");
            }
            for (int k = start; k < sp1; k++) {
                if (!isTokenChar(buf[k])) throw new ProtocolError(400, "malformed request method");
            }
            method = ascii(start, sp1);
            String target = ascii(sp1 + 1, sp2);
            String version = ascii(sp2 + 1, end);
            if (version.equals("HTTP/1.1")) http11 = true;
            else if (version.equals("HTTP/1.0")) http11 = false;
            else if (version.matches("HTTP/[0-9]\\.[0-9]")) throw new ProtocolError(505, "only HTTP/1.0 and HTTP/1.1 are served, got " + version);
            else throw new ProtocolError(400, "malformed request line: unknown protocol " + version);
            path = path(target);
        }

        private static String path(String target) throws ProtocolError {
            String p = target;
            if (p.startsWith("http://") || p.startsWith("https://")) { // absolute form: keep the path
                int slash = p.indexOf('/', p.indexOf("//") + 2);
                p = slash < 0 ? "/" : p.substring(slash);
            } else if (!p.startsWith("/") && !p.equals("*")) {
                throw new ProtocolError(400, "malformed request target " + target);
            }
            int q = p.indexOf('?');
            if (q >= 0) p = p.substring(0, q);
            int h = p.indexOf('#');
            return h >= 0 ? p.substring(0, h) : p;
        }

        private long parseContentLength(int from, int to) throws ProtocolError {
            if (from == to || to - from > 18) throw new ProtocolError(400, "malformed Content-Length");
            long v = 0;
            for (int k = from; k < to; k++) {
                int d = buf[k] - '0';
                if (d < 0 || d > 9) throw new ProtocolError(400, "malformed Content-Length");
                v = v * 10 + d;
            }
            return v;
        }

        /** The body as framed by the head just parsed; 413 past the limit without reading it. */
        byte[] readBody() throws IOException, ProtocolError {
            if (chunked) {
                continueIfExpected();
                return readChunked();
            }
            if (contentLength <= 0) return new byte[0];
            if (contentLength > maxBodyBytes) throw tooLarge(contentLength);
            continueIfExpected();
            byte[] body = new byte[(int) contentLength];
            int have = Math.min(lim - pos, body.length);
            System.arraycopy(buf, pos, body, 0, have);
            pos += have;
            while (have < body.length) {
                int n = read(body, have, body.length - have);
                if (n < 0) throw new ProtocolError(400, "connection closed after " + have + " of " + body.length + " body bytes");
                have += n;
            }
            return body;
        }

        private ProtocolError tooLarge(long length) {
            return new ProtocolError(413, "request body of " + length + " bytes is over the limit of " + maxBodyBytes + " bytes");
        }

        private void continueIfExpected() throws IOException {
            if (expectContinue) out.write(CONTINUE);
        }

        private byte[] readChunked() throws IOException, ProtocolError {
            byte[] body = new byte[Math.min(maxBodyBytes, 4096)];
            int size = 0;
            while (true) {
                long chunk = readChunkSize();
                if (chunk == 0) break;
                if (size + chunk > maxBodyBytes) throw tooLarge(size + chunk);
                int n = (int) chunk;
                if (body.length < size + n) body = Arrays.copyOf(body, Math.min(maxBodyBytes, Math.max(size + n, body.length * 2)));
                readExactly(body, size, n);
                size += n;
                expectLineEnd();
            }
            // trailer fields up to the blank line: read and ignored
            while (true) {
                int from = pos;
                int e = readLine(MAX_HEAD_BYTES);
                if (e == from) break;
            }
            return Arrays.copyOf(body, size);
        }

        private long readChunkSize() throws IOException, ProtocolError {
            int from = pos;
            int e = readLine(MAX_CHUNK_LINE);
            int semicolon = indexOf(';', from, e);
            int to = semicolon < 0 ? e : semicolon;
            while (to > from && (buf[to - 1] == ' ' || buf[to - 1] == '\t')) to--;
            if (to == from || to - from > 8) throw new ProtocolError(400, "malformed chunk size");
            long v = 0;
            for (int k = from; k < to; k++) {
                int d = Character.digit(buf[k], 16);
                if (d < 0) throw new ProtocolError(400, "malformed chunk size");
                v = v * 16 + d;
            }
            return v;
        }

        /** Buffers one line; returns its end (before CR LF) and moves past it. */
        private int readLine(int max) throws IOException, ProtocolError {
            while (true) {
                int nl = indexOf('\n', pos, lim);
                if (nl >= 0) {
                    int e = nl > pos && buf[nl - 1] == '\r' ? nl - 1 : nl;
                    pos = nl + 1;
                    return e;
                }
                if (lim - pos > max) throw new ProtocolError(400, "line over " + max + " bytes in chunked body");
                if (!fill()) throw new ProtocolError(400, "connection closed in the middle of a chunked body");
            }
        }

        private void expectLineEnd() throws IOException, ProtocolError {
            int from = pos;
            int e = readLine(2);
            if (e != from) throw new ProtocolError(400, "chunk data longer than its size");
        }

        private void readExactly(byte[] dst, int off, int n) throws IOException, ProtocolError {
            int have = Math.min(lim - pos, n);
            System.arraycopy(buf, pos, dst, off, have);
            pos += have;
            while (have < n) {
                int r = read(dst, off + have, n - have);
                if (r < 0) throw new ProtocolError(400, "connection closed in the middle of a chunk");
                have += r;
            }
        }

        /** Status line, headers and body in one buffer, one write (no Nagle/delayed-ACK stall between parts). */
        void writeResponse(Response r, boolean keepAlive, boolean headOnly) throws IOException {
            byte[] body = r.body();
            int n = 0;
            n = put(n, "HTTP/1.1 ");
            n = put(n, Integer.toString(r.status()));
            n = put(n, " ");
            n = put(n, reason(r.status()));
            if (r.contentType() != null) {
                n = put(n, "\r\nContent-Type: ");
                n = put(n, r.contentType());
            }
            n = put(n, "\r\nContent-Length: ");
            n = put(n, Integer.toString(body.length));
            n = put(n, keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
            if (!headOnly && body.length <= 1 << 16) {
                ensure(n + body.length);
                System.arraycopy(body, 0, outBuf, n, body.length);
                n += body.length;
                out.write(outBuf, 0, n);
            } else {
                // large: head and body as two writes, both under the write deadline (a slow reader is cut, not waited on)
                byte[] head = Arrays.copyOf(outBuf, n);
                writeWithin(head, writeTimeoutMillis);
                if (!headOnly) writeWithin(body, writeTimeoutMillis);
                return;
            }
        }

        /** Writes {@code bytes}; a client that has not taken them within {@code millis} is disconnected. */
        void writeWithin(byte[] bytes, long millis) throws IOException {
            if (bytes.length <= 1 << 16) { // fits the socket's send buffer: never blocks for long
                out.write(bytes);
                return;
            }
            java.util.concurrent.ScheduledFuture<?> cut;
            try {
                cut = rejectedCloser.schedule(() -> closeQuietly(socket), millis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                throw new SocketException("server closing");
            }
            try {
                out.write(bytes);
            } finally {
                cut.cancel(false);
            }
        }

        private int put(int n, String ascii) {
            int len = ascii.length();
            ensure(n + len);
            ascii.getBytes(0, len, outBuf, n); // ASCII only: the deprecated byte-copying overload is exact and cheap
            return n + len;
        }

        private void ensure(int size) {
            if (outBuf.length < size) outBuf = Arrays.copyOf(outBuf, Math.max(size, outBuf.length * 2));
        }

        private int lineEnd(int from, int end) {
            int nl = indexOf('\n', from, end);
            if (nl < 0) nl = end;
            return nl > from && buf[nl - 1] == '\r' ? nl - 1 : nl;
        }

        private int next(int lineEnd, int end) {
            int nl = indexOf('\n', lineEnd, end);
            return nl < 0 ? end : nl + 1;
        }

        private int indexOf(char c, int from, int to) {
            for (int k = from; k < to; k++) if (buf[k] == c) return k;
            return -1;
        }

        private boolean nameIs(int from, int length, String lowerName) {
            if (length != lowerName.length()) return false;
            for (int k = 0; k < length; k++) {
                int ch = buf[from + k];
                if (ch >= 'A' && ch <= 'Z') ch += 'a' - 'A';
                if (ch != lowerName.charAt(k)) return false;
            }
            return true;
        }

        private String ascii(int from, int to) { return new String(buf, from, to - from, StandardCharsets.ISO_8859_1); }
    }

    private static boolean isTokenChar(byte b) {
        if (b <= 0x20 || b >= 0x7f) return false;
        return "()<>@,;:\\\"/[]?={}".indexOf(b) < 0;
    }

    /** Options of an HTTP server: the handler is required, the rest have defaults. */
    public static final class Builder {
        private Handler handler;
        private int port;
        private String host; // null: loopback
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerAddress = Integer.MAX_VALUE;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration headTimeout = DEFAULT_HEAD_TIMEOUT;
        private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private String threadName = "loopback-http";
        private Duration closeGrace = DEFAULT_CLOSE_GRACE;

        private Builder() {}

        public Builder setHandler(Handler handler) { this.handler = Objects.requireNonNull(handler); return this; }

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

        /** How long a connection may sit silent (between or within requests) before it is closed. */
        public Builder optIdleTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("idle timeout must be positive, got " + timeout);
            this.idleTimeout = timeout;
            return this;
        }

        /** How long {@link #close()} waits for handlers still running (default 5 s). */
        public Builder optCloseGrace(Duration grace) {
            if (grace.isNegative()) throw new IllegalArgumentException("close grace must be >= 0, got " + grace);
            this.closeGrace = grace;
            return this;
        }

        public Builder optThreadName(String name) { this.threadName = Objects.requireNonNull(name); return this; }

        /** Binds and starts serving. */
        public LoopbackHttpServer start() {
            if (handler == null) throw new IllegalStateException("setHandler(...) is required before start()");
            return new LoopbackHttpServer(this);
        }
    }
}
