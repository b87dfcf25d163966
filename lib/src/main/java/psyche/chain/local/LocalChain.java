package psyche.chain.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import psyche.net.HttpEdge;

/**
 * A running local chain: a {@link Ledger} (persisted under a directory unless in memory) served as Solana JSON-RPC
 * on 127.0.0.1. Close it to stop the server and write a final snapshot.
 *
 * <pre>{@code
 * try (LocalChain chain = LocalChain.builder().optRpcPort(0).optLedgerDir(dir).start()) {
 *     String url = chain.rpcUrl();
 * }
 * }</pre>
 */
public final class LocalChain implements AutoCloseable {
    public static final int DEFAULT_RPC_PORT = 8899;

    private final Ledger ledger;
    private final RpcServer server;
    private final WebSocketRpcServer webSocket;
    private final Path ledgerDir;

    private LocalChain(Ledger ledger, RpcServer server, WebSocketRpcServer webSocket, Path ledgerDir) {
        this.ledger = ledger;
        this.server = server;
        this.webSocket = webSocket;
        this.ledgerDir = ledgerDir;
    }

    /** {@code ~/.psyche/local-chain}: where the ledger lives unless told otherwise. */
    public static Path defaultLedgerDir() {
        return psyche.UserHome.dir().resolve(Path.of(".psyche", "local-chain"));
    }

    public static Builder builder() { return new Builder(); }

    public Ledger ledger() { return ledger; }

    public int rpcPort() { return server.port(); }

    public String rpcUrl() { return server.url(); }

    /** The PubSub WebSocket URL: the RPC port + 1 as Solana clients assume (another free port if that one is taken). */
    public String wsUrl() { return webSocket.url(); }

    /** The ledger directory, or null for an in-memory chain. */
    public Path ledgerDir() { return ledgerDir; }

    /** True when something answers getHealth with "ok" on 127.0.0.1:{@code port} (a local chain already running). */
    public static boolean isServing(int port) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port))
                    .timeout(Duration.ofSeconds(2)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}")).build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"ok\"");
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override public void close() {
        try {
            webSocket.close();
            server.close();
        } finally {
            ledger.close();
        }
    }

    @Override public String toString() {
        return "LocalChain[" + rpcUrl() + ", " + wsUrl() + ", ledger " + (ledgerDir == null ? "in memory" : ledgerDir) + "]";
    }

    /** Options of a local chain; every one has a default. */
    public static final class Builder {
        private Path ledgerDir = defaultLedgerDir();
        private boolean inMemory;
        private boolean reset;
        private int rpcPort = DEFAULT_RPC_PORT;
        private int rpcMaxConnections = HttpEdge.DEFAULT_MAX_CONNECTIONS;
        private List<Program> programs; // null: Psyche's coordinator, authorizer and treasurer at programIds
        private psyche.chain.ProgramIds programIds = psyche.chain.ProgramIds.MAINNET;
        private Clock clock = Clock.systemUTC();
        private java.util.OptionalLong logicalSeedBase = java.util.OptionalLong.empty();
        private final java.util.Map<psyche.coordinator.Pubkey, Long> fund = new java.util.LinkedHashMap<>();

        private Builder() {}

        public Builder optLedgerDir(Path dir) { this.ledgerDir = Objects.requireNonNull(dir); this.inMemory = false; return this; }
        /** Keeps the ledger in memory only: nothing is written, everything is lost on close. */
        public Builder optInMemory() { this.inMemory = true; return this; }
        /** Deletes the ledger in the directory before starting. */
        public Builder optReset(boolean reset) { this.reset = reset; return this; }
        /** The RPC port on 127.0.0.1; 0 picks a free port. */
        public Builder optRpcPort(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("rpc port must be 0..65535, got " + port);
            this.rpcPort = port;
            return this;
        }
        /**
         * The most RPC connections served at once, each on its own thread (default 256); one more is answered 503.
         * Clients that send concurrently (and so wait on fsync together, sharing group commits) each hold one.
         */
        public Builder optRpcMaxConnections(int max) {
            if (max < 1) throw new IllegalArgumentException("rpc max connections must be at least 1, got " + max);
            this.rpcMaxConnections = max;
            return this;
        }
        /**
         * Programs beyond system, SPL token and associated token account. By default these are Psyche's coordinator,
         * authorizer and treasurer ({@link psyche.chain.local.psyche.PsychePrograms}); a list given here replaces them.
         */
        public Builder optPrograms(List<Program> programs) { this.programs = List.copyOf(programs); return this; }

        /** Where the default Psyche programs live (mainnet addresses unless told otherwise). */
        public Builder optProgramIds(psyche.chain.ProgramIds ids) { this.programIds = Objects.requireNonNull(ids); return this; }
        /** The clock that drives slots, blockhash expiry and the clock sysvar (tests pass a controllable one). */
        public Builder optClock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

        /**
         * Reproducible mode for reports: the coordinator derives its round seeds from the run's epoch and step and
         * {@code base} instead of the clock sysvar's (unix_timestamp, slot), so which client trains which batch and
         * who witnesses no longer depend on when a tick landed. Off by default: then the coordinator computes
         * exactly what Psyche's program does. Applies to the default programs only.
         */
        public Builder optLogicalRoundSeeds(long base) { this.logicalSeedBase = java.util.OptionalLong.of(base); return this; }

        /**
         * Tops {@code wallet} up from the faucet to at least {@code lamports} at start (like solana-test-validator
         * funding the default keypair); a wallet that already holds that much is left alone.
         */
        public Builder optFund(psyche.coordinator.Pubkey wallet, long lamports) {
            if (lamports <= 0) throw new IllegalArgumentException("funding must be positive, got " + lamports);
            fund.put(Objects.requireNonNull(wallet), lamports);
            return this;
        }

        public LocalChain start() {
            List<Program> extra = programs != null ? programs : psyche.chain.local.psyche.PsychePrograms.all(programIds, logicalSeedBase);
            Ledger ledger = inMemory ? Ledger.inMemory(clock, extra) : Ledger.open(ledgerDir, reset, clock, extra);
            try {
                for (java.util.Map.Entry<psyche.coordinator.Pubkey, Long> e : fund.entrySet()) {
                    AccountState current = ledger.account(e.getKey());
                    long have = current == null ? 0 : current.lamports();
                    if (have < e.getValue()) ledger.airdrop(e.getKey(), e.getValue() - have);
                }
                RpcServer server = new RpcServer(ledger, rpcPort, rpcMaxConnections);
                WebSocketRpcServer webSocket;
                try {
                    webSocket = new WebSocketRpcServer(ledger, server.port() + 1);
                } catch (IllegalStateException portTaken) {
                    if (rpcPort != 0) {
                        server.close();
                        throw portTaken;
                    }
                    webSocket = new WebSocketRpcServer(ledger, 0);
                }
                return new LocalChain(ledger, server, webSocket, inMemory ? null : ledgerDir);
            } catch (RuntimeException e) {
                ledger.close();
                throw e;
            }
        }
    }
}
