package psyche.train.chain;

import psyche.client.ChainClient;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A chain session's link to the sessions of other processes on the same run, with its lifecycle: the results server
 * ({@link ResultsExchange}, {@code GET /results/{step}} and {@code GET /peers}), its entry in the run's
 * {@link PeerDirectory} on this machine, and {@link PeerDiscovery} of the others (from that directory, from given
 * peers and from the peers those name). {@link ChainRoundDriver} publishes and fetches through it.
 */
final class PeerSessions implements AutoCloseable {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final String runId;
    private final String coordinatorAccount;
    private final List<ChainClient> clients;
    private final ResultsExchange exchange;
    private final PeerDiscovery discovery;
    private final PeerDirectory directory;

    /**
     * Serves on {@code host:port} when {@code port >= 0} (0: a free port); with {@code register}, a serving session
     * registers in the peers directory under {@code peersBase} and discovers the sessions there every {@code refresh}.
     */
    PeerSessions(String runId, String coordinatorAccount, List<ChainClient> clients, String host, int port,
                 List<URI> peers, boolean register, Path peersBase, java.time.Duration refresh) {
        this.runId = runId;
        this.coordinatorAccount = coordinatorAccount;
        this.clients = List.copyOf(clients);
        this.discovery = new PeerDiscovery(runId, coordinatorAccount, refresh);
        for (URI peer : peers) discovery.addExplicit(peer);
        this.exchange = new ResultsExchange(host, port, this::peersJson, ResultsExchange.DEFAULT_MAX_BUNDLE_BYTES,
                ResultsExchange.FETCH_DEADLINE);
        if (exchange.serving() && register) {
            this.directory = new PeerDirectory(peersBase != null ? peersBase : PeerDirectory.defaultBase(), runId);
            try {
                directory.register(new PeerDirectory.Entry(exchange.localUrl(), ProcessHandle.current().pid(),
                        clients.get(0).signer().toBase58(), coordinatorAccount));
            } catch (RuntimeException e) {
                exchange.close();
                throw e;
            }
        } else {
            this.directory = null;
        }
        discovery.bind(exchange, directory);
        if (directory != null || !discovery.peers().isEmpty()) discovery.start();
    }

    ResultsExchange exchange() { return exchange; }

    PeerDiscovery discovery() { return discovery; }

    /** {@code {"run", "account", "url", "clients": [signers], "peers": [results URLs]}}. */
    private String peersJson() {
        var json = JSON.createObjectNode()
                .put("run", runId).put("account", coordinatorAccount).put("url", exchange.localUrl().toString());
        var signers = json.putArray("clients");
        for (ChainClient c : clients) signers.add(c.signer().toBase58());
        var known = json.putArray("peers");
        for (URI p : discovery.peers()) if (!exchange.isQuarantined(p)) known.add(p.toString()); // never pass a misbehaving peer on
        return json.toString();
    }

    /** Where this session serves its results (its URL as seen from this machine), if it does. */
    Optional<URI> resultsUrl() { return exchange.serving() ? Optional.of(exchange.localUrl()) : Optional.empty(); }

    /** Fetches from another session's results URL too, and learns the rest from its {@code GET /peers}. */
    void addPeer(URI resultsUrl) {
        discovery.addExplicit(resultsUrl);
        discovery.start();
    }

    List<URI> peers() { return discovery.peers(); }

    Optional<Path> peersDirectory() { return Optional.ofNullable(directory).map(PeerDirectory::dir); }

    Map<URI, String> misbehaving() { return exchange.misbehaving(); }

    @Override public void close() {
        discovery.close();
        if (directory != null) directory.close();
        exchange.close();
    }
}
