package psyche.chain.local;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import psyche.coordinator.Pubkey;

/**
 * Solana's PubSub over WebSocket (RFC 6455, text frames) on 127.0.0.1, next to the HTTP port as Solana puts it:
 * signatureSubscribe (one notification, at once if the transaction is already known), accountSubscribe, and their
 * unsubscribes. What clients like @solana/web3.js use to confirm transactions.
 */
public final class WebSocketRpcServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final Ledger ledger;
    private final ServerSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Ledger.CommitListener listener = this::committed;

    private record Subscription(Connection connection, String kind, Pubkey account, String signature, JsonNode config) {}

    public WebSocketRpcServer(Ledger ledger, int port) {
        this.ledger = ledger;
        try {
            socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen for WebSocket RPC on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        ledger.addCommitListener(listener);
        Thread acceptor = new Thread(this::acceptLoop, "local-chain-ws");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() { return socket.getLocalPort(); }

    public String url() { return "ws://127.0.0.1:" + port(); }

    @Override public void close() {
        ledger.removeCommitListener(listener);
        try { socket.close(); } catch (IOException ignored) { /* closing */ }
        for (Connection c : connections) c.close();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                s.setTcpNoDelay(true);
                Connection c = new Connection(s);
                connections.add(c);
                Thread t = new Thread(c::run, "local-chain-ws-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void committed(TransactionRecord record, Set<Pubkey> changed, long slot) {
        for (Map.Entry<Long, Subscription> e : subscriptions.entrySet()) {
            Subscription sub = e.getValue();
            if (sub.kind.equals("signature") && record != null && sub.signature.equals(record.signatureBase58())) {
                subscriptions.remove(e.getKey());
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

    /** One client connection: reads frames, answers requests, sends notifications. */
    private final class Connection {
        private final Socket socket;
        private OutputStream out;

        Connection(Socket socket) { this.socket = socket; }

        void run() {
            try (socket) {
                InputStream in = socket.getInputStream();
                out = socket.getOutputStream();
                if (!handshake(in)) return;
                DataInputStream data = new DataInputStream(in);
                ByteArrayOutputStream message = new ByteArrayOutputStream();
                while (true) {
                    int b0 = data.readUnsignedByte();
                    int b1 = data.readUnsignedByte();
                    int opcode = b0 & 0x0f;
                    long length = b1 & 0x7f;
                    if (length == 126) length = data.readUnsignedShort();
                    else if (length == 127) length = data.readLong();
                    if (length > (16 << 20)) return;
                    byte[] mask = new byte[4];
                    if ((b1 & 0x80) != 0) data.readFully(mask);
                    byte[] payload = new byte[(int) length];
                    data.readFully(payload);
                    for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
                    if (opcode == 8) { send(0x88, payload); return; }
                    if (opcode == 9) { send(0x8A, payload); continue; }
                    if (opcode == 10) continue;
                    message.write(payload);
                    if ((b0 & 0x80) != 0) {
                        handle(message.toString(StandardCharsets.UTF_8));
                        message.reset();
                    }
                }
            } catch (IOException closed) {
                // client went away
            } finally {
                connections.remove(this);
                subscriptions.values().removeIf(s -> s.connection == this);
            }
        }

        private boolean handshake(InputStream in) throws IOException {
            StringBuilder headers = new StringBuilder();
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) return false;
                headers.append((char) b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            }
            String key = null;
            for (String line : headers.toString().split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Key")) key = line.substring(colon + 1).trim();
            }
            if (key == null) {
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return false;
            }
            String accept;
            try {
                accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
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
                        long sub = ids.incrementAndGet();
                        reply(id, JSON.getNodeFactory().numberNode(sub), 0, null);
                        TransactionRecord known = ledger.transaction(Pubkey.base58Decode(signature)).orElse(null);
                        if (known != null) notify("signatureNotification", sub, ledger.slot(), signatureValue(known));
                        else subscriptions.put(sub, new Subscription(this, "signature", null, signature, params.path(1)));
                        // a commit between the lookup and the put: look again
                        if (known == null && ledger.transaction(Pubkey.base58Decode(signature)).isPresent()
                                && subscriptions.remove(sub) != null) {
                            notify("signatureNotification", sub, ledger.slot(),
                                    signatureValue(ledger.transaction(Pubkey.base58Decode(signature)).get()));
                        }
                    }
                    case "accountSubscribe" -> {
                        Pubkey account = Pubkey.fromBase58(params.path(0).asText());
                        long sub = ids.incrementAndGet();
                        JsonNode config = params.path(1).isObject() ? params.path(1) : JSON.createObjectNode().put("encoding", "base64");
                        if (!config.has("encoding")) config = ((ObjectNode) config.deepCopy()).put("encoding", "base64");
                        subscriptions.put(sub, new Subscription(this, "account", account, null, config));
                        reply(id, JSON.getNodeFactory().numberNode(sub), 0, null);
                    }
                    case "signatureUnsubscribe", "accountUnsubscribe" ->
                            reply(id, JSON.getNodeFactory().booleanNode(subscriptions.remove(params.path(0).asLong()) != null), 0, null);
                    default -> reply(id, null, -32601, "Method not found");
                }
            } catch (IllegalArgumentException e) {
                reply(id, null, -32602, "Invalid params: " + e.getMessage());
            }
        }

        private void reply(JsonNode id, JsonNode result, int code, String message) throws IOException {
            ObjectNode out = JSON.createObjectNode().put("jsonrpc", "2.0");
            if (message == null) out.set("result", result);
            else out.putObject("error").put("code", code).put("message", message);
            out.set("id", id);
            send(0x81, JSON.writeValueAsBytes(out));
        }

        void notify(String method, long subscription, long slot, JsonNode value) {
            ObjectNode out = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
            ObjectNode params = out.putObject("params");
            ObjectNode result = params.putObject("result");
            result.putObject("context").put("slot", slot);
            result.set("value", value);
            params.put("subscription", subscription);
            try {
                send(0x81, JSON.writeValueAsBytes(out));
            } catch (IOException gone) {
                close();
            }
        }

        private synchronized void send(int first, byte[] payload) throws IOException {
            ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
            frame.write(first);
            if (payload.length < 126) {
                frame.write(payload.length);
            } else if (payload.length < 65536) {
                frame.write(126);
                frame.write(payload.length >>> 8);
                frame.write(payload.length);
            } else {
                frame.write(127);
                for (int i = 7; i >= 0; i--) frame.write((int) ((long) payload.length >>> (8 * i)));
            }
            frame.write(payload);
            out.write(frame.toByteArray());
            out.flush();
        }

        void close() {
            try { socket.close(); } catch (IOException ignored) { /* closing */ }
        }
    }
}
