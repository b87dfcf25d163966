package psyche.chain.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import psyche.coordinator.Pubkey;
import psyche.net.HttpEdge;

/**
 * Solana's PubSub over WebSocket (RFC 6455, text frames) on 127.0.0.1, next to the HTTP port as Solana puts it:
 * signatureSubscribe (one notification, at once if the transaction is already known), accountSubscribe, and their
 * unsubscribes. What clients like @solana/web3.js use to confirm transactions.
 *
 * <p>Served by our {@link HttpEdge} (Jetty 12's WebSocket, NIO: an idle connection holds no thread; the upgrade request's head is bounded at
 * {@value #MAX_HEAD_BYTES} bytes, answered 431 past it), with at most {@value #MAX_CONNECTIONS} connections (more wait
 * to be accepted), {@value #MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection and
 * {@value #MAX_SUBSCRIPTIONS} in all, messages of at most {@value #MAX_MESSAGE_BYTES} bytes, an idle timeout, and a
 * bound on the notifications queued for a client that does not read them (it is disconnected).
 */
public final class WebSocketRpcServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_HEAD_BYTES = 8 * 1024;
    static final int MAX_CONNECTIONS = 1024;
    static final int MAX_SUBSCRIPTIONS_PER_CONNECTION = 1024;
    static final int MAX_SUBSCRIPTIONS = 100_000;
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    static final int MAX_QUEUED_FRAMES = 4096;
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Before the upgrade: a connection that has not sent a whole upgrade request in this time is closed. */
    static final Duration HANDSHAKE_IDLE_TIMEOUT = Duration.ofSeconds(10);

    private final Ledger ledger;
    private final HttpEdge server;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Ledger.CommitListener listener = this::committed;

    private record Subscription(Connection connection, String kind, Pubkey account, String signature, JsonNode config) {}

    public WebSocketRpcServer(Ledger ledger, int port) {
        this.ledger = ledger;
        try {
            server = HttpEdge.builder().optPort(port).optThreadName("local-chain-ws").optMaxThreads(16)
                    .optMaxHeadBytes(MAX_HEAD_BYTES).optMaxConnections(MAX_CONNECTIONS).optIdleTimeout(HANDSHAKE_IDLE_TIMEOUT)
                    .setWebSocket(container -> {
                        container.setIdleTimeout(IDLE_TIMEOUT);
                        container.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
                        container.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
                        container.setMaxFrameSize(MAX_MESSAGE_BYTES);
                        container.setMaxOutgoingFrames(MAX_QUEUED_FRAMES);
                        container.addMapping("/*", (request, response, callback) -> new Connection());
                    }).optCloseGrace(Duration.ofSeconds(2)).start();
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("cannot listen for WebSocket RPC on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        ledger.addCommitListener(listener);
    }

    public int port() { return server.port(); }

    public String url() { return "ws://127.0.0.1:" + port(); }

    /** WebSocket connections open now (tests). */
    int openConnections() { return connections.size(); }

    @Override public void close() {
        ledger.removeCommitListener(listener);
        server.close();
        subscriptions.clear();
    }

    private void committed(TransactionRecord record, Set<Pubkey> changed, long slot) {
        for (Map.Entry<Long, Subscription> e : subscriptions.entrySet()) {
            Subscription sub = e.getValue();
            if (sub.kind.equals("signature") && record != null && sub.signature.equals(record.signatureBase58())) {
                if (sub.connection.remove(e.getKey()) == null) continue; // another thread notified it
                sub.connection.notify("signatureNotification", e.getKey(), slot, signatureValue(record));
            } else if (sub.kind.equals("account") && changed.contains(sub.account)) {
                AccountState state = ledger.account(sub.account);
                sub.connection.notify("accountNotification", e.getKey(), slot,
                        state == null ? emptyAccount(sub.config) : RpcServer.accountJson(state, sub.config));
            }
        }
    }

    private static JsonNode emptyAccount(JsonNode config) {
        return RpcServer.accountJson(AccountState.empty(), config);
    }

    private static JsonNode signatureValue(TransactionRecord record) {
        ObjectNode value = JSON.createObjectNode();
        value.set("err", RpcServer.errJson(record.err()));
        return value;
    }

    /** One client connection: answers requests, sends notifications. Public only for Jetty, which calls it (one event at a time). */
    public final class Connection implements Session.Listener.AutoDemanding {
        private volatile Session session;
        private final AtomicInteger mine = new AtomicInteger();

        @Override public void onWebSocketOpen(Session session) {
            this.session = session;
            connections.add(this);
        }

        @Override public void onWebSocketText(String text) {
            try {
                handle(text);
            } catch (IOException e) {
                close();
            }
        }

        @Override public void onWebSocketClose(int statusCode, String reason) { forget(); }

        @Override public void onWebSocketError(Throwable cause) { forget(); }

        private void forget() {
            connections.remove(this);
            subscriptions.values().removeIf(s -> s.connection == this);
        }

        /** Refuses a new subscription past the limits (Solana answers an internal error when it has too many). */
        private boolean subscriptionAllowed(JsonNode id) throws IOException {
            if (mine.get() >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
                reply(id, null, -32603, "Internal error: this connection has " + MAX_SUBSCRIPTIONS_PER_CONNECTION
                        + " subscriptions, the limit; unsubscribe some or open another connection");
                return false;
            }
            if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
                reply(id, null, -32603, "Internal error: the server has " + MAX_SUBSCRIPTIONS + " subscriptions, its limit");
                return false;
            }
            return true;
        }

        private void handle(String text) throws IOException {
            JsonNode request;
            try {
                request = JSON.readTree(text);
            } catch (IOException e) {
                reply(JSON.nullNode(), null, -32700, "Parse error");
                return;
            }
            JsonNode id = request.path("id");
            JsonNode params = request.path("params");
            String method = request.path("method").asText();
            try {
                switch (method) {
                    case "signatureSubscribe" -> {
                        String signature = params.path(0).asText();
                        Pubkey.base58Decode(signature); // a malformed one is -32602 before anything is kept
                        if (!subscriptionAllowed(id)) return;
                        long sub = ids.incrementAndGet();
                        reply(id, JSON.getNodeFactory().numberNode(sub), 0, null);
                        TransactionRecord known = ledger.transaction(Pubkey.base58Decode(signature)).orElse(null);
                        if (known != null) notify("signatureNotification", sub, ledger.slot(), signatureValue(known));
                        else put(sub, new Subscription(this, "signature", null, signature, params.path(1)));
                        // a commit between the lookup and the put: look again
                        if (known == null && ledger.transaction(Pubkey.base58Decode(signature)).isPresent()
                                && remove(sub) != null) {
                            notify("signatureNotification", sub, ledger.slot(),
                                    signatureValue(ledger.transaction(Pubkey.base58Decode(signature)).get()));
                        }
                    }
                    case "accountSubscribe" -> {
                        Pubkey account = Pubkey.fromBase58(params.path(0).asText());
                        if (!subscriptionAllowed(id)) return;
                        long sub = ids.incrementAndGet();
                        JsonNode config = params.path(1).isObject() ? params.path(1) : JSON.createObjectNode().put("encoding", "base64");
                        if (!config.has("encoding")) config = ((ObjectNode) config.deepCopy()).put("encoding", "base64");
                        put(sub, new Subscription(this, "account", account, null, config));
                        reply(id, JSON.getNodeFactory().numberNode(sub), 0, null);
                    }
                    case "signatureUnsubscribe", "accountUnsubscribe" -> {
                        Subscription s = subscriptions.get(params.path(0).asLong());
                        boolean removed = s != null && s.connection == this && remove(params.path(0).asLong()) != null;
                        reply(id, JSON.getNodeFactory().booleanNode(removed), 0, null);
                    }
                    default -> reply(id, null, -32601, "Method not found");
                }
            } catch (IllegalArgumentException e) {
                reply(id, null, -32602, "Invalid params: " + e.getMessage());
            }
        }

        private void put(long id, Subscription s) {
            subscriptions.put(id, s);
            mine.incrementAndGet();
        }

        private Subscription remove(long id) {
            Subscription s = subscriptions.remove(id);
            if (s != null) s.connection.mine.decrementAndGet();
            return s;
        }

        private void reply(JsonNode id, JsonNode result, int code, String message) throws IOException {
            ObjectNode out = JSON.createObjectNode().put("jsonrpc", "2.0");
            if (message == null) out.set("result", result);
            else out.putObject("error").put("code", code).put("message", message);
            out.set("id", id);
            send(JSON.writeValueAsString(out));
        }

        void notify(String method, long subscription, long slot, JsonNode value) {
            ObjectNode out = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
            ObjectNode params = out.putObject("params");
            ObjectNode result = params.putObject("result");
            result.putObject("context").put("slot", slot);
            result.set("value", value);
            params.put("subscription", subscription);
            try {
                send(JSON.writeValueAsString(out));
            } catch (IOException gone) {
                close();
            }
        }

        /** Queues a text frame; a client whose queue is full (it does not read) is disconnected. */
        private void send(String text) throws IOException {
            Session s = session;
            if (s == null || !s.isOpen()) throw new IOException("closed");
            s.sendText(text, Callback.from(() -> { }, failed -> close()));
        }

        void close() {
            Session s = session;
            if (s != null) s.disconnect();
            forget();
        }
    }
}
