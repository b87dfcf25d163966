package psyche.train.chain;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import psyche.chain.Keypair;
import psyche.net.HttpEdge;
import psyche.coordinator.BatchId;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;
import psyche.train.TrainingException;
import psyche.train.distro.DistroLayout;
import psyche.train.distro.DistroResult;

/**
 * How training sessions in different processes share their results: a small HTTP server ({@code GET /results/{step}},
 * {@code GET /peers}) and the fetching of peers' results, each bounded so that no one peer or connection can stall a
 * session. Served: per-connection head/body/write deadlines and at most {@value #MAX_CONNECTIONS_PER_PEER}
 * connections per address (the shared {@link HttpEdge}). Fetched: every peer at once, all within one
 * total deadline, each body at most {@code maxBundleBytes}; a result counts only with its trainer's ed25519
 * signature over its commitment (Psyche's {@code Commitment {data_hash, signature}}), checked before it is applied.
 * A peer that answers too slowly, too much, or with a result that fails its checks is quarantined: skipped, and left
 * out of the peer list this session serves, for {@link #QUARANTINE}.
 */
final class ResultsExchange implements AutoCloseable {
    /** A result as a session holds it: the wire bytes and the commitment they hash to (Psyche's {@code data_hash}). */
    record HeardResult(byte[] wire, byte[] commitment) {}

    /** One entry of a {@code /results/{step}} answer: the trainer's signer, its commitment and signature, the wire. */
    record ServedResult(byte[] signer, byte[] commitment, byte[] signature, byte[] wire) {}

    /** Serves each result as it is (see {@link #bundle}). */
    static final UnaryOperator<DistroResult> HONEST = r -> r;

    static final int MAX_CONNECTIONS_PER_PEER = 4;
    static final int MAX_CONNECTIONS = 64;
    /** All peers' results of one step must arrive within this (a peer that is slower is skipped this step). */
    static final Duration FETCH_DEADLINE = Duration.ofSeconds(5);
    /** Larger than any honest bundle of a model trained here: a session's few clients' compressed results. */
    static final int DEFAULT_MAX_BUNDLE_BYTES = 256 << 20;
    static final Duration QUARANTINE = Duration.ofMinutes(2);
    private static final int ENTRY_HEADER = 32 + 32 + 64 + 4;

    /** What fetching one peer's results of a step gave. */
    sealed interface Fetched {
        record Body(byte[] bytes) implements Fetched {}
        /** Not there (404: not trained yet) or not reachable: not misbehaviour. */
        record Missing(String why) implements Fetched {}
        /** Too slow, too large, or malformed: the peer is quarantined. */
        record Misbehaved(String why) implements Fetched {}
    }

    private final HttpEdge server; // null: this session only fetches
    private final Map<Long, byte[]> served = new ConcurrentHashMap<>();
    private final Map<URI, Quarantine> quarantined = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int maxBundleBytes;
    private final Duration fetchDeadline;

    private record Quarantine(String why, long untilNanos) {}

    /**
     * @param host, port where to serve ({@code port < 0}: do not serve)
     * @param peersJson what {@code GET /peers} answers, built when asked
     */
    ResultsExchange(String host, int port, Supplier<String> peersJson, int maxBundleBytes, Duration fetchDeadline) {
        this.maxBundleBytes = maxBundleBytes;
        this.fetchDeadline = fetchDeadline;
        if (port < 0) {
            server = null;
            return;
        }
        try {
            server = HttpEdge.builder().optHost(host).optPort(port).optThreadName("psyche-results")
                    .optMaxConnections(MAX_CONNECTIONS).optMaxConnectionsPerAddress(MAX_CONNECTIONS_PER_PEER)
                    .optMaxBodyBytes(0).optHeadTimeout(Duration.ofSeconds(5)).optIdleTimeout(Duration.ofSeconds(15))
                    .optCloseGrace(Duration.ofMillis(500))
                    .setHandler(request -> answer(request, peersJson)).start();
        } catch (RuntimeException e) {
            throw new TrainingException("cannot serve results on " + host + ":" + port + ": " + e.getMessage()
                    + "; pick another port (0 = any free one) or host", e);
        }
    }

    private HttpEdge.Response answer(HttpEdge.Request request, Supplier<String> peersJson) {
        if (!"GET".equals(request.method())) return text(405, "only GET is served here");
        if (request.path().equals("/peers")) {
            return new HttpEdge.Response(200, "application/json", peersJson.get().getBytes(StandardCharsets.UTF_8));
        }
        if (request.path().startsWith("/results/")) {
            long step;
            try {
                step = Long.parseLong(request.path().substring("/results/".length()));
            } catch (NumberFormatException e) {
                return text(400, "GET /results/{step}: the step is a number");
            }
            byte[] body = served.get(step);
            return body == null ? text(404, "no results of step " + step + " here") : new HttpEdge.Response(200,
                    "application/octet-stream", body);
        }
        return text(404, "GET /results/{step} or /peers");
    }

    private static HttpEdge.Response text(int status, String message) {
        return new HttpEdge.Response(status, "text/plain", message.getBytes(StandardCharsets.UTF_8));
    }

    boolean serving() { return server != null; }

    /** The URL of the server as seen from this machine (a wildcard bind answers on loopback too). */
    URI localUrl() {
        java.net.InetAddress a = server.address();
        String host = a == null || a.isAnyLocalAddress() ? "127.0.0.1"
                : a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return URI.create("http://" + host + ":" + server.port());
    }

    /** Serves {@code bundle} as this session's results of {@code step} (the last few steps stay served). */
    void publish(long step, byte[] bundle) {
        served.put(step, bundle);
        served.keySet().removeIf(k -> k < step - 4);
    }

    /** Marks {@code peer} as misbehaving: skipped and not listed to others for {@link #QUARANTINE}. */
    void misbehaved(URI peer, String why) {
        quarantined.put(peer, new Quarantine(why, System.nanoTime() + QUARANTINE.toNanos()));
    }

    boolean isQuarantined(URI peer) {
        Quarantine q = quarantined.get(peer);
        if (q == null) return false;
        if (System.nanoTime() - q.untilNanos >= 0) {
            quarantined.remove(peer, q);
            return false;
        }
        return true;
    }

    /** The peers quarantined now and why. */
    Map<URI, String> misbehaving() {
        Map<URI, String> out = new LinkedHashMap<>();
        for (Map.Entry<URI, Quarantine> e : quarantined.entrySet()) if (isQuarantined(e.getKey())) out.put(e.getKey(), e.getValue().why);
        return out;
    }

    /**
     * Fetches {@code GET /results/{step}} from every peer at once; returns within the fetch deadline whatever the
     * peers do. A peer past the deadline, over the size limit or answering malformed is quarantined.
     */
    Map<URI, Fetched> fetchAll(List<URI> peers, long step) {
        long deadline = System.nanoTime() + fetchDeadline.toNanos();
        Map<URI, InFlight> pending = new LinkedHashMap<>();
        for (URI peer : peers) {
            if (!isQuarantined(peer)) pending.put(peer, start(peer.resolve("/results/" + step), fetchDeadline, maxBundleBytes));
        }
        Map<URI, Fetched> out = new LinkedHashMap<>();
        for (Map.Entry<URI, InFlight> e : pending.entrySet()) {
            if (Thread.currentThread().isInterrupted()) {
                e.getValue().cancel();
                continue;
            }
            Fetched fetched = e.getValue().await(deadline, "its results of step " + step);
            if (fetched instanceof Fetched.Misbehaved m) misbehaved(e.getKey(), m.why());
            out.put(e.getKey(), fetched);
        }
        return out;
    }

    /** One GET within {@code deadline} and {@code maxBytes} (peer discovery's {@code GET /peers}). */
    Fetched get(URI url, Duration deadline, int maxBytes) {
        return start(url, deadline, maxBytes).await(System.nanoTime() + deadline.toNanos(), "its answer to GET " + url.getPath());
    }

    /** A request under way and the subscription of its body (cancelled to stop it). */
    private record InFlight(CompletableFuture<HttpResponse<byte[]>> response, AtomicReference<Flow.Subscription> body, Duration limit) {
        Fetched await(long deadlineNanos, String what) {
            Fetched fetched;
            try {
                HttpResponse<byte[]> r = response.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                fetched = r.statusCode() == 200 ? new Fetched.Body(r.body()) : new Fetched.Missing("answered " + r.statusCode());
            } catch (TimeoutException slow) {
                fetched = new Fetched.Misbehaved(what + " did not arrive within " + limit.toMillis() + " ms");
            } catch (ExecutionException failed) {
                Throwable cause = failed.getCause();
                if (cause instanceof TooLarge large) fetched = new Fetched.Misbehaved(large.getMessage());
                else if (cause instanceof java.net.http.HttpTimeoutException) {
                    fetched = new Fetched.Misbehaved("no answer within " + limit.toMillis() + " ms");
                } else fetched = new Fetched.Missing(String.valueOf(cause));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                fetched = new Fetched.Missing("interrupted");
            }
            if (!(fetched instanceof Fetched.Body)) cancel();
            return fetched;
        }

        /** Stops the fetch: the body subscription (which closes the connection) and the exchange. */
        void cancel() {
            Flow.Subscription s = body.getAndSet(null);
            if (s != null) s.cancel();
            response.cancel(true);
        }
    }

    private InFlight start(URI url, Duration limit, int maxBytes) {
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(limit).GET().build();
        return new InFlight(http.sendAsync(request, info -> limitedBody(info, subscription, maxBytes)), subscription, limit);
    }

    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) { super(message, null, false, false); }
    }

    /** A body of at most {@code maxBytes}, refused from its Content-Length or cut as soon as it grows past. */
    private static HttpResponse.BodySubscriber<byte[]> limitedBody(HttpResponse.ResponseInfo info,
                                                                   AtomicReference<Flow.Subscription> held, int maxBytes) {
        if (info.statusCode() != 200) return HttpResponse.BodySubscribers.replacing(new byte[0]);
        long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<byte[]> result = new CompletableFuture<>();
            private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

            @Override public CompletionStage<byte[]> getBody() { return result; }

            @Override public void onSubscribe(Flow.Subscription subscription) {
                held.set(subscription);
                if (declared > maxBytes) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge("it announced a result body of " + declared
                            + " bytes, over the limit of " + maxBytes));
                    return;
                }
                subscription.request(Long.MAX_VALUE);
            }

            @Override public void onNext(List<ByteBuffer> items) {
                for (ByteBuffer b : items) {
                    if (bytes.size() + (long) b.remaining() > maxBytes) {
                        Flow.Subscription s = held.getAndSet(null);
                        if (s != null) s.cancel();
                        result.completeExceptionally(new TooLarge("it sent more than " + maxBytes
                                + " bytes, the limit"));
                        return;
                    }
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    bytes.writeBytes(chunk);
                }
            }

            @Override public void onError(Throwable t) { result.completeExceptionally(t); }

            @Override public void onComplete() { result.complete(bytes.toByteArray()); }
        };
    }

    // ---------------------------------------------------------------- the bundle format

    /**
     * What {@code GET /results/{step}} answers: per result {@code [signer 32 B][commitment 32 B][signature 64 B]
     * [length u32 BE][wire]}, the signature being the trainer's ed25519 signature (by its p2p identity key) of the
     * commitment. The commitment is the announcement (Psyche gossips it, signed, apart from the blob); a fetcher hears
     * the result only when the signature holds and the wire hashes to it. {@code served} is what the server sends in
     * place of each result ({@link #HONEST} for an honest session); the announced commitment is then that of the
     * served result.
     */
    static byte[] bundle(DistroLayout layout, Map<NodeIdentity, HeardResult> results, UnaryOperator<DistroResult> served,
                         BiFunction<NodeIdentity, byte[], byte[]> signCommitment) {
        var out = new java.io.ByteArrayOutputStream();
        for (Map.Entry<NodeIdentity, HeardResult> e : results.entrySet()) {
            byte[] wire = e.getValue().wire();
            byte[] commitment = e.getValue().commitment();
            byte[] sent = wire;
            if (served != HONEST) {
                DistroResult other = served.apply(DistroResult.decode(wire, layout));
                sent = other.encode();
                commitment = other.commitment();
            }
            out.writeBytes(e.getKey().signer().bytes());
            out.writeBytes(commitment);
            out.writeBytes(signCommitment.apply(e.getKey(), commitment));
            out.writeBytes(ByteBuffer.allocate(4).putInt(sent.length).array());
            out.writeBytes(sent);
        }
        return out.toByteArray();
    }

    /** The entries of a {@link #bundle}; throws at the first malformed one (at most 256 entries). */
    static List<ServedResult> parseBundle(byte[] body) {
        List<ServedResult> out = new ArrayList<>();
        var buf = ByteBuffer.wrap(body);
        while (buf.hasRemaining()) {
            if (out.size() >= 256) throw new IllegalArgumentException("more than 256 results in one answer");
            if (buf.remaining() < ENTRY_HEADER) throw new IllegalArgumentException("a truncated entry at byte " + buf.position());
            byte[] signer = new byte[32];
            buf.get(signer);
            byte[] commitment = new byte[32];
            buf.get(commitment);
            byte[] signature = new byte[64];
            buf.get(signature);
            int len = buf.getInt();
            if (len < 0 || len > buf.remaining()) {
                throw new IllegalArgumentException("an entry of " + len + " bytes where " + buf.remaining() + " remain");
            }
            byte[] wire = new byte[len];
            buf.get(wire);
            out.add(new ServedResult(signer, commitment, signature, wire));
        }
        return out;
    }

    /**
     * Why a served result is not heard as {@code trainer}'s result of {@code step} for {@code batch}, or empty when it
     * is: the signature must be the trainer's (p2p key) over the commitment, the wire must decode, be for that step
     * and batch, and hash to the commitment (Psyche drops a download that "failed commitment hash verification").
     */
    static Optional<String> rejection(DistroLayout layout, ServedResult s, long step, BatchId batch, NodeIdentity trainer) {
        if (!Keypair.verify(trainer.p2pIdentity(), s.commitment(), s.signature())) {
            return Optional.of("the signature of " + Pubkey.of(s.signer()) + "'s commitment is not its trainer's");
        }
        DistroResult d;
        try {
            d = DistroResult.decode(s.wire(), layout);
        } catch (RuntimeException malformed) {
            return Optional.of("a result that does not decode (" + malformed.getMessage() + ")");
        }
        if (d.step() != step || d.batchStart() != batch.start() || d.batchEnd() != batch.end()) {
            return Optional.of("a result for step " + d.step() + " batch " + d.batchStart() + ".." + d.batchEnd()
                    + " where step " + step + " batch " + batch.start() + ".." + batch.end() + " was due");
        }
        if (!java.util.Arrays.equals(d.commitment(), s.commitment())) {
            return Optional.of("a result whose bytes do not hash to the commitment it names");
        }
        return Optional.empty();
    }

    /** The served result as heard, when {@link #rejection} finds nothing wrong. */
    static Optional<HeardResult> verified(DistroLayout layout, ServedResult s, long step, BatchId batch, NodeIdentity trainer) {
        return rejection(layout, s, step, batch, trainer).isPresent() ? Optional.empty()
                : Optional.of(new HeardResult(s.wire(), s.commitment()));
    }

    @Override public void close() {
        if (server != null) server.close();
    }
}
