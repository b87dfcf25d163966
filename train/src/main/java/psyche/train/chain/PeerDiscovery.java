package psyche.train.chain;

import psyche.train.TrainingException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The peers a chain session fetches results from: given ones ({@link #addExplicit}), the live entries of the run's
 * {@link PeerDirectory} on this machine, and the peers those list at {@code GET /peers}; probed through the session's
 * {@link ResultsExchange}, bounded in number and time, with a back-off for peers that do not answer.
 */
final class PeerDiscovery implements AutoCloseable {
    private static final int MAX_PEERS_ANSWER_BYTES = 64 << 10;
    private static final int MAX_PEERS = 64;
    private static final int PROBES_PER_REFRESH = 16;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration BACKOFF = Duration.ofSeconds(5);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final String runId;
    private final String coordinatorAccount;
    private final Duration refresh;
    private final List<java.net.URI> peers = new CopyOnWriteArrayList<>();
    private final java.util.Set<java.net.URI> explicitPeers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<java.net.URI, Long> unreachableUntil = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<java.net.URI, Integer> failedProbes = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile ResultsExchange exchange;
    private volatile PeerDirectory directory; // null: no directory
    private java.util.concurrent.ScheduledExecutorService discovery; // guarded by this; started with the first peer source
    private volatile boolean closed;

    PeerDiscovery(String runId, String coordinatorAccount, Duration refresh) {
        this.runId = runId;
        this.coordinatorAccount = coordinatorAccount;
        this.refresh = refresh;
    }

    /** The exchange that probes, and the run directory to read (null: none); before {@link #start}. */
    void bind(ResultsExchange exchange, PeerDirectory directory) {
        this.exchange = Objects.requireNonNull(exchange);
        this.directory = directory;
    }

    /** The results URLs the session fetches from. */
    List<java.net.URI> peers() { return List.copyOf(peers); }

    /** The peers not backing off now. */
    List<java.net.URI> reachablePeers() {
        List<java.net.URI> out = new ArrayList<>();
        for (java.net.URI peer : peers) if (!backingOff(peer)) out.add(peer);
        return out;
    }

    /** Starts the periodic {@link #refreshPeers} on a daemon thread, once there is a directory or a peer to ask. */
    synchronized void start() {
        if (discovery != null || closed || exchange == null) return;
        discovery = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "psyche-peer-discovery-" + runId);
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, refresh.toMillis());
        discovery.scheduleWithFixedDelay(() -> {
            try {
                refreshPeers();
            } catch (RuntimeException e) {
                // discovery is best effort: the next refresh tries again
            }
        }, 0, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * One discovery round (bounded: at most {@value #PROBES_PER_REFRESH} new candidates probed, each within
     * {@link #PROBE_TIMEOUT}): candidates are the live entries of the run directory and the peers that known peers
     * list at GET /peers; a candidate becomes a peer once its GET /peers answers for this run id and coordinator
     * account. Entries of dead processes are skipped by the directory; unreachable ones fail the probe.
     */
    void refreshPeers() {
        java.util.LinkedHashSet<java.net.URI> candidates = new java.util.LinkedHashSet<>();
        if (directory != null) {
            for (PeerDirectory.Entry e : directory.entries()) {
                if (coordinatorAccount.equals(e.account())) candidates.add(normalize(e.url()));
            }
        }
        for (java.net.URI known : peers) {
            if (backingOff(known) || exchange.isQuarantined(known)) continue;
            Optional<com.fasterxml.jackson.databind.JsonNode> answer = probe(known);
            if (answer.isEmpty()) {
                if (failedProbes.merge(known, 1, Integer::sum) >= 3 && !explicitPeers.contains(known)) {
                    peers.remove(known); // a discovered peer that is gone; the directory or a peer may offer it again
                    failedProbes.remove(known);
                }
                continue;
            }
            failedProbes.remove(known);
            for (com.fasterxml.jackson.databind.JsonNode p : answer.get().path("peers")) {
                try {
                    candidates.add(normalize(java.net.URI.create(p.asText())));
                } catch (IllegalArgumentException notAUrl) {
                    // a peer's list is only a hint
                }
            }
        }
        java.net.URI self = exchange.serving() ? exchange.localUrl() : null;
        int probes = 0;
        for (java.net.URI c : candidates) {
            if (peers.size() >= MAX_PEERS || probes >= PROBES_PER_REFRESH) break;
            if (c.equals(self) || peers.contains(c) || backingOff(c) || exchange.isQuarantined(c)
                    || !"http".equals(c.getScheme()) || c.getHost() == null) continue;
            probes++;
            if (probe(c).isPresent()) addKnownPeer(c);
        }
    }

    private synchronized void addKnownPeer(java.net.URI peer) {
        if (!peers.contains(peer) && peers.size() < MAX_PEERS) peers.add(peer);
    }

    /** GET /peers of {@code peer}, when it answers in time for this run (same id, same coordinator account). */
    private Optional<com.fasterxml.jackson.databind.JsonNode> probe(java.net.URI peer) {
        try {
            ResultsExchange.Fetched answer = exchange.get(peer.resolve("/peers"), PROBE_TIMEOUT, MAX_PEERS_ANSWER_BYTES);
            if (!(answer instanceof ResultsExchange.Fetched.Body body)) {
                if (!(answer instanceof ResultsExchange.Fetched.Missing m) || !m.why().startsWith("answered")) backOff(peer);
                return Optional.empty();
            }
            var json = JSON.readTree(body.bytes());
            if (!runId.equals(json.path("run").asText()) || !coordinatorAccount.equals(json.path("account").asText())) {
                return Optional.empty(); // another run, or the same run id on another chain
            }
            unreachableUntil.remove(peer);
            return Optional.of(json);
        } catch (IOException | RuntimeException e) {
            backOff(peer);
            return Optional.empty();
        }
    }

    private boolean backingOff(java.net.URI peer) {
        Long until = unreachableUntil.get(peer);
        return until != null && System.nanoTime() - until < 0;
    }

    void backOff(java.net.URI peer) {
        unreachableUntil.put(peer, System.nanoTime() + BACKOFF.toNanos());
    }

    private static java.net.URI normalize(java.net.URI u) {
        String s = u.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return java.net.URI.create(s);
    }

    /** A peer given by URL (another session's results URL): kept even when it does not answer. */
    void addExplicit(java.net.URI resultsUrl) {
        java.net.URI u = normalize(Objects.requireNonNull(resultsUrl));
        if (!"http".equals(u.getScheme()) || u.getHost() == null) {
            throw new TrainingException("peer URL " + resultsUrl + " is not http://HOST:PORT (another session's results URL)");
        }
        explicitPeers.add(u);
        synchronized (this) {
            if (!peers.contains(u)) peers.add(u); // an explicit peer counts even beyond the discovery bound
        }
    }

    @Override public synchronized void close() {
        closed = true;
        if (discovery != null) discovery.shutdownNow();
    }
}
