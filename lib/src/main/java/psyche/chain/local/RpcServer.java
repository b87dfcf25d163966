package psyche.chain.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import psyche.chain.Message;
import psyche.chain.Rent;
import psyche.chain.TokenAccount;
import psyche.chain.TokenMint;
import psyche.chain.local.programs.TokenProgram;
import psyche.coordinator.Pubkey;
import psyche.net.HttpEdge;

/**
 * Solana's JSON-RPC 2.0 over HTTP for a {@link Ledger}, bound to 127.0.0.1: the methods Solana tools and our client
 * use, with Solana's request, response and error shapes.
 */
public final class RpcServer implements AutoCloseable {
    public static final String SOLANA_CORE_VERSION = "2.1.0";
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    static final int SEND_TRANSACTION_PREFLIGHT_FAILURE = -32002;
    static final int TRANSACTION_SIGNATURE_VERIFICATION_FAILURE = -32003;

    // trailing content after the JSON value is a parse error, as serde_json::from_str makes it in Solana's RPC
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /**
     * The most bytes of account data (as encoded) one HTTP request may be answered with, one call or a whole batch:
     * past it, the calls that would exceed it are answered with a JSON-RPC error instead.
     */
    static final long MAX_RESPONSE_DATA_BYTES = 32L << 20;
    /** Solana's MAX_PERMITTED_DATA_LENGTH: no account holds more. */
    static final long MAX_ACCOUNT_DATA_BYTES = 10L << 20;
    private static final ThreadLocal<long[]> RESPONSE_BUDGET = new ThreadLocal<>();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final byte[] HEALTH_OK = "ok".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USE_POST = "{\"error\":\"use POST with a JSON-RPC 2.0 body\"}".getBytes(StandardCharsets.US_ASCII);

    private final Ledger ledger;
    private final HttpEdge server;

    /** A JSON-RPC error to return to the caller. */
    static final class RpcError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;
        final transient JsonNode data;

        RpcError(int code, String message, JsonNode data) {
            super(message);
            this.code = code;
            this.data = data;
        }

        RpcError(int code, String message) { this(code, message, null); }
    }

    /**
     * Starts serving {@code ledger} on 127.0.0.1:{@code port} (0 picks a free port) through {@link HttpEdge}, at
     * most {@code maxConnections} connections at once (one more is answered 503).
     */
    public RpcServer(Ledger ledger, int port, int maxConnections) {
        this.ledger = ledger;
        try {
            server = HttpEdge.builder().setHandler(this::handle).optQuick(RpcServer::quick).optAsync(this::handleAsync).optPort(port).optMaxConnections(maxConnections)
                    .optThreadName("local-chain-rpc").start();
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " (" + e.getCause().getMessage()
                    + "): is another validator running? pick another --rpc-port, or 0 for a free one", e);
        }
    }

    public int port() { return server.port(); }

    public String url() { return "http://127.0.0.1:" + port(); }

    /** Stops accepting, closes open connections and waits (bounded) for requests in flight. */
    @Override public void close() { server.close(); }

    /** Methods answered from constants, the clock and hashes: no lock, no I/O, microseconds (see {@link #quick}). */
    private static final java.util.Set<String> QUICK_METHODS = java.util.Set.of("getHealth", "getVersion", "getSlot",
            "getBlockHeight", "getGenesisHash", "getLatestBlockhash", "getMinimumBalanceForRentExemption");

    /**
     * Whether a request may be answered on the server's I/O thread, without a hand-off to a pool thread: a small
     * single call of a {@link #QUICK_METHODS} method (a plain sendTransaction, which waits for an fsync, is answered
     * from the commit by {@link #handleAsync}; anything else goes to a pool thread). A cheap streaming look at the
     * body; whatever it cannot tell is not quick.
     */
    static boolean quick(HttpEdge.Request http) {
        if (!"POST".equals(http.method()) || http.body().length > 512) return false;
        String method = null;
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(http.body())) {
            if (p.nextToken() != JsonToken.START_OBJECT) return false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean isMethod = "method".equals(p.currentName());
                JsonToken value = p.nextToken();
                if (isMethod) {
                    if (value != JsonToken.VALUE_STRING || method != null) return false;
                    method = p.getText();
                    // not quick whatever follows: no need to read the params (a sendTransaction's are most of it)
                    if (!QUICK_METHODS.contains(method)) return false;
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException malformed) {
            return false;
        }
        return method != null && QUICK_METHODS.contains(method);
    }

    /**
     * A plain single sendTransaction (see {@link #sendTransactionFastPath}), on the server's I/O thread: parsed,
     * verified and executed there, answered when the log's fsync makes it durable, with no thread waiting for that.
     * Null for anything else, which {@link #handle} answers.
     */
    private java.util.concurrent.CompletionStage<HttpEdge.Response> handleAsync(HttpEdge.Request http) {
        if (!"POST".equals(http.method())) return null;
        java.util.concurrent.CompletableFuture<byte[]> sent = sendTransactionFastPath(http.body());
        return sent == null ? null : sent.thenApply(answer -> new HttpEdge.Response(200, "application/json", answer));
    }

    private HttpEdge.Response handle(HttpEdge.Request http) {
        String method = http.method();
        if ("GET".equals(method) && http.path().equals("/health")) return new HttpEdge.Response(200, null, HEALTH_OK);
        if (!"POST".equals(method)) return new HttpEdge.Response(405, "application/json", USE_POST);
        JsonNode response;
        JsonNode request;
        try {
            request = JSON.readTree(http.body());
        } catch (IOException e) {
            request = null;
        }
        RESPONSE_BUDGET.set(new long[] {MAX_RESPONSE_DATA_BYTES});
        try {
            if (request == null) {
                response = error(NODES.nullNode(), new RpcError(PARSE_ERROR, "Parse error"));
            } else if (request.isArray()) {
                ArrayNode all = NODES.arrayNode();
                for (JsonNode r : request) all.add(call(r));
                response = all;
            } else {
                response = call(request);
            }
        } finally {
            RESPONSE_BUDGET.remove();
        }
        try {
            return new HttpEdge.Response(200, "application/json", JSON.writeValueAsBytes(response));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a JSON-RPC response", e);
        }
    }

    /**
     * sendTransaction, the call that matters for throughput, read with Jackson's streaming parser and answered with a
     * string built directly: no trees. Only the plain shape is taken (a single call; id an integer, a plain ASCII
     * string or null; params [transaction, optional {encoding, skipPreflight, ...}]); for anything else it returns
     * null before doing anything, and the general path answers, so the answers are the same either way. The answer
     * completes once the transaction is durable (at once when it is refused).
     */
    private java.util.concurrent.CompletableFuture<byte[]> sendTransactionFastPath(byte[] body) {
        String idJson = "null";
        boolean sawId = false;
        boolean isSend = false;
        String encoded = null;
        String encoding = "base58";
        boolean skipPreflight = false;
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            java.util.Set<String> seen = new java.util.HashSet<>(8);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (!seen.add(field)) return null; // duplicate keys: leave the subtleties to the tree
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> {
                        sawId = true;
                        if (value == JsonToken.VALUE_NUMBER_INT && (p.getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.INT
                                || p.getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.LONG)) {
                            idJson = Long.toString(p.getLongValue());
                        } else if (value == JsonToken.VALUE_STRING && isPlainAscii(p.getText())) {
                            idJson = '"' + p.getText() + '"';
                        } else if (value != JsonToken.VALUE_NULL) {
                            return null;
                        }
                    }
                    case "method" -> {
                        if (value != JsonToken.VALUE_STRING || !p.getText().equals("sendTransaction")) return null;
                        isSend = true;
                    }
                    case "params" -> {
                        if (value != JsonToken.START_ARRAY || p.nextToken() != JsonToken.VALUE_STRING) return null;
                        encoded = p.getText();
                        JsonToken next = p.nextToken();
                        if (next == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String option = p.currentName();
                                JsonToken v = p.nextToken();
                                if (option.equals("encoding")) {
                                    if (v != JsonToken.VALUE_STRING) return null;
                                    encoding = p.getText();
                                } else if (option.equals("skipPreflight")) {
                                    if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) return null;
                                    skipPreflight = v == JsonToken.VALUE_TRUE;
                                } else {
                                    p.skipChildren(); // preflightCommitment, maxRetries, minContextSlot: not used here
                                }
                            }
                            next = p.nextToken();
                        }
                        if (next != JsonToken.END_ARRAY) return null;
                    }
                    default -> p.skipChildren(); // "jsonrpc" and anything else, ignored as the general path does
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) return null;
        } catch (IOException malformed) {
            return null;
        }
        if (!isSend || encoded == null) return null;
        String id = idJson;
        boolean idSent = sawId;
        java.util.concurrent.CompletableFuture<String> sent;
        try {
            sent = sendTransaction(decodeTransaction(encoded, encoding), skipPreflight);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(failureBytes(id, idSent, e));
        }
        return sent.handle((signature, failure) -> failure != null ? failureBytes(id, idSent, LedgerStore.cause(failure))
                : ("{\"jsonrpc\":\"2.0\",\"result\":\"" + signature + "\",\"id\":" + id + "}").getBytes(StandardCharsets.US_ASCII));
    }

    /** The fast path's error answer, as the general path writes it. */
    private static byte[] failureBytes(String idJson, boolean sawId, RuntimeException e) {
        try {
            return JSON.writeValueAsBytes(failure(sawId ? JSON.readTree(idJson) : NODES.nullNode(), e));
        } catch (IOException cannot) {
            throw new UncheckedIOException("cannot write a JSON-RPC error", cannot);
        }
    }

    /** Printable ASCII without quote or backslash: written back verbatim, exactly as Jackson would. */
    private static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
        }
        return true;
    }

    private JsonNode call(JsonNode request) {
        JsonNode id = request.has("id") ? request.get("id") : NODES.nullNode();
        if (!request.isObject() || !request.path("method").isTextual()) {
            return error(id, new RpcError(INVALID_REQUEST, "Invalid request"));
        }
        JsonNode params = request.path("params");
        if (params.isMissingNode() || params.isNull()) {
            params = NODES.arrayNode();
        } else if (params.isObject()) {
            // jsonrpc-core parses it as named params, which Solana's positional methods refuse
            return error(id, new RpcError(INVALID_PARAMS, "Invalid params: invalid type: map, expected a sequence."));
        } else if (!params.isArray()) {
            return error(id, new RpcError(INVALID_REQUEST, "Invalid request")); // not params at all: not a request
        }
        try {
            ObjectNode out = NODES.objectNode();
            out.put("jsonrpc", "2.0");
            out.set("result", dispatch(request.get("method").asText(), params));
            out.set("id", id);
            return out;
        } catch (RuntimeException e) {
            return failure(id, e);
        }
    }

    /** The error answer for a call that threw {@code e}. */
    private static JsonNode failure(JsonNode id, RuntimeException e) {
        if (e instanceof RpcError rpc) return error(id, rpc);
        if (e instanceof IllegalArgumentException) return error(id, new RpcError(INVALID_PARAMS, "Invalid params: " + e.getMessage()));
        return error(id, new RpcError(INTERNAL_ERROR, "Internal error: " + e));
    }

    private static JsonNode error(JsonNode id, RpcError e) {
        ObjectNode out = NODES.objectNode();
        out.put("jsonrpc", "2.0");
        ObjectNode err = out.putObject("error");
        err.put("code", e.code);
        err.put("message", e.getMessage());
        if (e.data != null) err.set("data", e.data);
        out.set("id", id);
        return out;
    }

    private JsonNode dispatch(String method, JsonNode params) {
        return switch (method) {
            case "getHealth" -> NODES.textNode("ok");
            case "getVersion" -> NODES.objectNode().put("solana-core", SOLANA_CORE_VERSION).put("feature-set", 0L);
            case "getSlot", "getBlockHeight" -> NODES.numberNode(ledger.slot());
            case "getGenesisHash" -> NODES.textNode(Pubkey.base58Encode(ledger.genesisHash()));
            case "getEpochInfo" -> epochInfo();
            case "getLatestBlockhash" -> {
                long slot = ledger.slot();
                yield withContext(slot, NODES.objectNode().put("blockhash", Pubkey.base58Encode(ledger.blockhash(slot)))
                        .put("lastValidBlockHeight", Ledger.lastValidBlockHeight(slot)));
            }
            case "isBlockhashValid" -> withContext(ledger.slot(),
                    NODES.booleanNode(ledger.isBlockhashValid(Pubkey.base58Decode(param(params, 0).asText()))));
            case "getBalance" -> {
                AccountState a = ledger.account(pubkey(param(params, 0)));
                yield withContext(ledger.slot(), NODES.numberNode(a == null ? 0 : a.lamports()));
            }
            case "getAccountInfo" -> withContext(ledger.slot(),
                    accountJson(ledger.account(pubkey(param(params, 0))), params.path(1)));
            case "getMultipleAccounts" -> {
                ArrayNode values = NODES.arrayNode();
                JsonNode keys = param(params, 0);
                if (keys.size() > 100) throw new RpcError(INVALID_PARAMS, "Too many inputs provided; max 100");
                for (JsonNode key : keys) values.add(accountJson(ledger.account(pubkey(key)), params.path(1)));
                yield withContext(ledger.slot(), values);
            }
            case "getProgramAccounts" -> programAccounts(params);
            case "getMinimumBalanceForRentExemption" -> {
                long length = unsigned(param(params, 0), "usize");
                if (length > MAX_ACCOUNT_DATA_BYTES) {
                    throw new RpcError(INVALID_PARAMS, "Invalid params: data length " + length + " is over "
                            + MAX_ACCOUNT_DATA_BYTES + ", the most an account may hold.");
                }
                yield NODES.numberNode(Rent.exemptMinimum(length));
            }
            case "getFeeForMessage" -> {
                byte[] message = Base64.getDecoder().decode(param(params, 0).asText());
                yield withContext(ledger.slot(), NODES.numberNode(Rent.LAMPORTS_PER_SIGNATURE * WireTransaction.requiredSignatures(message)));
            }
            case "sendTransaction" -> sendTransaction(params);
            case "simulateTransaction" -> simulateTransaction(params);
            case "getSignatureStatuses" -> signatureStatuses(params);
            case "getTransaction" -> transaction(params);
            case "requestAirdrop" -> {
                Pubkey to = pubkey(param(params, 0));
                long lamports = unsigned(param(params, 1), "u64");
                if (lamports <= 0) throw new RpcError(INVALID_PARAMS, "Invalid params: airdrop amount must be positive");
                try {
                    yield NODES.textNode(ledger.airdrop(to, lamports).signatureBase58());
                } catch (TransactionRejectedException e) {
                    throw new RpcError(INTERNAL_ERROR, "airdrop request failed: " + e.getMessage());
                }
            }
            case "getTokenAccountBalance" -> tokenAccountBalance(params);
            case "getTransactionCount" -> NODES.numberNode(ledger.transactionCount());
            case "getFirstAvailableBlock", "minimumLedgerSlot" -> NODES.numberNode(0);
            default -> throw new RpcError(METHOD_NOT_FOUND, "Method not found");
        };
    }

    private static JsonNode param(JsonNode params, int index) {
        JsonNode p = params.path(index);
        if (p.isMissingNode() || p.isNull()) throw new RpcError(INVALID_PARAMS, "Invalid params: missing parameter " + index);
        return p;
    }

    /**
     * A non-negative integer parameter as serde reads a Rust {@code u64}/{@code usize}: anything else is -32602 with
     * serde's reason. Values past 2^63-1 are refused too (no parameter here means anything that large).
     */
    static long unsigned(JsonNode node, String rustType) {
        if (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 0) return node.asLong();
        String got;
        if (node.isIntegralNumber() && node.canConvertToLong()) got = "invalid value: integer `" + node.asLong() + "`";
        else if (node.isIntegralNumber()) got = "invalid value: integer `" + node.asText() + "`";
        else if (node.isNumber()) got = "invalid type: floating point `" + node.asText() + "`";
        else if (node.isTextual()) got = "invalid type: string " + node.toString();
        else if (node.isBoolean()) got = "invalid type: boolean `" + node.asText() + "`";
        else if (node.isObject()) got = "invalid type: map";
        else if (node.isArray()) got = "invalid type: sequence";
        else got = "invalid type: null";
        throw new RpcError(INVALID_PARAMS, "Invalid params: " + got + ", expected " + rustType
                + (node.isIntegralNumber() && !node.canConvertToLong() ? " (at most 9223372036854775807 here)" : "") + ".");
    }

    /** Charges {@code bytes} of answer against this HTTP request's budget; -32600-style error past it. */
    private static void chargeResponse(long bytes) {
        long[] budget = RESPONSE_BUDGET.get();
        if (budget == null) return; // not inside an HTTP request (subscriptions)
        if (bytes > budget[0]) {
            throw new RpcError(INVALID_REQUEST, "Invalid request: the answer would hold over " + MAX_RESPONSE_DATA_BYTES
                    + " bytes of account data for this request (one call or a whole batch); ask for fewer accounts per "
                    + "request, or use dataSlice");
        }
        budget[0] -= bytes;
    }

    private static Pubkey pubkey(JsonNode node) {
        try {
            return Pubkey.fromBase58(node.asText());
        } catch (IllegalArgumentException e) {
            throw new RpcError(INVALID_PARAMS, "Invalid param: Invalid");
        }
    }

    private ObjectNode withContext(long slot, JsonNode value) {
        ObjectNode out = NODES.objectNode();
        out.putObject("context").put("apiVersion", SOLANA_CORE_VERSION).put("slot", slot);
        out.set("value", value);
        return out;
    }

    private JsonNode epochInfo() {
        long slot = ledger.slot();
        return NODES.objectNode().put("absoluteSlot", slot).put("blockHeight", slot)
                .put("epoch", slot / Ledger.SLOTS_PER_EPOCH).put("slotIndex", slot % Ledger.SLOTS_PER_EPOCH)
                .put("slotsInEpoch", Ledger.SLOTS_PER_EPOCH).put("transactionCount", ledger.transactionCount());
    }

    static JsonNode accountJson(AccountState account, JsonNode config) {
        if (account == null) return NODES.nullNode();
        String encoding = config.path("encoding").asText("binary");
        byte[] data = account.dataUnsafe();
        JsonNode slice = config.path("dataSlice");
        if (!slice.isMissingNode() && !slice.isNull()) {
            if (!slice.isObject()) throw new RpcError(INVALID_PARAMS, "Invalid params: invalid type: " + slice.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT) + ", expected struct UiDataSliceConfig.");
            if (!slice.has("offset") || !slice.has("length")) {
                throw new RpcError(INVALID_PARAMS, "Invalid params: missing field `" + (slice.has("offset") ? "length" : "offset") + "`.");
            }
            long offset = unsigned(slice.get("offset"), "usize");
            long length = unsigned(slice.get("length"), "usize");
            // Solana's slice_data: clipped to the data, never more than there is
            int from = (int) Math.min(offset, data.length);
            int to = (int) Math.min((long) from + Math.min(length, data.length), data.length);
            data = java.util.Arrays.copyOfRange(data, from, to);
        }
        chargeResponse("base64".equals(encoding) || "jsonParsed".equals(encoding) ? 4L * ((data.length + 2) / 3) : data.length);
        ObjectNode out = NODES.objectNode();
        switch (encoding) {
            case "base64", "jsonParsed" -> out.putArray("data").add(Base64.getEncoder().encodeToString(data)).add("base64");
            case "base58" -> {
                if (data.length > 128) throw new RpcError(INVALID_REQUEST, "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.");
                out.putArray("data").add(Pubkey.base58Encode(data)).add("base58");
            }
            case "binary" -> {
                if (data.length > 128) throw new RpcError(INVALID_REQUEST, "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.");
                out.put("data", Pubkey.base58Encode(data));
            }
            case "base64+zstd" -> throw new RpcError(INVALID_PARAMS, "Invalid params: base64+zstd is not supported by the local chain; use base64");
            default -> throw new RpcError(INVALID_PARAMS, "Invalid params: unknown encoding " + encoding);
        }
        out.put("executable", account.executable());
        out.put("lamports", account.lamports());
        out.put("owner", account.owner().toBase58());
        out.put("rentEpoch", new java.math.BigInteger(Long.toUnsignedString(account.rentEpoch())));
        out.put("space", account.dataLength());
        return out;
    }

    private JsonNode programAccounts(JsonNode params) {
        Pubkey program = pubkey(param(params, 0));
        JsonNode config = params.path(1);
        List<Predicate<AccountState>> filters = new ArrayList<>();
        for (JsonNode f : config.path("filters")) {
            if (f.has("dataSize")) {
                long size = unsigned(f.get("dataSize"), "u64");
                filters.add(a -> a.dataLength() == size);
            } else if (f.has("memcmp")) {
                JsonNode m = f.get("memcmp");
                long offset = unsigned(m.path("offset"), "usize");
                String enc = m.path("encoding").asText("base58");
                byte[] bytes = enc.equals("base64") ? Base64.getDecoder().decode(m.path("bytes").asText())
                        : Pubkey.base58Decode(m.path("bytes").asText());
                filters.add(a -> {
                    byte[] d = a.dataUnsafe();
                    if (offset + bytes.length > d.length) return false;
                    int at = (int) offset;
                    return java.util.Arrays.equals(d, at, at + bytes.length, bytes, 0, bytes.length);
                });
            } else {
                throw new RpcError(INVALID_PARAMS, "Invalid params: filter must be memcmp or dataSize, got " + f);
            }
        }
        if (filters.size() > 4) throw new RpcError(INVALID_PARAMS, "Too many filters provided; max 4");
        Predicate<AccountState> all = a -> filters.stream().allMatch(p -> p.test(a));
        ArrayNode values = NODES.arrayNode();
        for (Map.Entry<Pubkey, AccountState> e : ledger.programAccounts(program, all)) {
            ObjectNode item = values.addObject();
            item.put("pubkey", e.getKey().toBase58());
            item.set("account", accountJson(e.getValue(), config));
        }
        return config.path("withContext").asBoolean(false) ? withContext(ledger.slot(), values) : values;
    }

    private static byte[] decodeTransaction(JsonNode params, String defaultEncoding) {
        String encoded = param(params, 0).asText();
        return decodeTransaction(encoded, params.path(1).path("encoding").asText(defaultEncoding));
    }

    private static byte[] decodeTransaction(String encoded, String encoding) {
        try {
            return switch (encoding) {
                case "base64" -> Base64.getDecoder().decode(encoded);
                case "base58" -> Pubkey.base58Decode(encoded);
                default -> throw new RpcError(INVALID_PARAMS, "Invalid params: unsupported encoding: " + encoding
                        + ". Supported encodings: base58, base64");
            };
        } catch (IllegalArgumentException e) {
            throw new RpcError(INVALID_PARAMS, "invalid " + encoding + " encoding: " + e.getMessage());
        }
    }

    private static WireTransaction parseTransaction(byte[] bytes) {
        try {
            return WireTransaction.parse(bytes);
        } catch (MalformedTransactionException e) {
            throw new RpcError(INVALID_PARAMS, "failed to deserialize solana_sdk::transaction::versioned::VersionedTransaction: "
                    + e.getMessage());
        }
    }

    private JsonNode sendTransaction(JsonNode params) {
        byte[] wire = decodeTransaction(params, "base58");
        try {
            return NODES.textNode(sendTransaction(wire, params.path(1).path("skipPreflight").asBoolean(false)).join());
        } catch (java.util.concurrent.CompletionException e) {
            throw LedgerStore.cause(e);
        }
    }

    /**
     * Submits a wire transaction: its signature in base58 once durable (or the ledger's failure to make it so);
     * throws the RpcError Solana answers when it is refused.
     */
    private java.util.concurrent.CompletableFuture<String> sendTransaction(byte[] wire, boolean skipPreflight) {
        WireTransaction tx = parseTransaction(wire);
        try {
            return ledger.submitAsync(tx, !skipPreflight).thenApply(TransactionRecord::signatureBase58);
        } catch (TransactionRejectedException e) {
            if (e.error() == TransactionError.SIGNATURE_FAILURE) {
                throw new RpcError(TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure");
            }
            ObjectNode data = NODES.objectNode();
            data.set("accounts", NODES.nullNode());
            data.set("err", JSON.valueToTree(e.error().toJson()));
            data.set("innerInstructions", NODES.nullNode());
            ArrayNode logs = data.putArray("logs");
            e.logs().forEach(logs::add);
            data.set("replacementBlockhash", NODES.nullNode());
            data.set("returnData", NODES.nullNode());
            data.put("unitsConsumed", e.unitsConsumed());
            throw new RpcError(SEND_TRANSACTION_PREFLIGHT_FAILURE, "Transaction simulation failed: " + e.error().message(), data);
        }
    }

    private JsonNode simulateTransaction(JsonNode params) {
        WireTransaction tx = parseTransaction(decodeTransaction(params, "base58"));
        JsonNode config = params.path(1);
        boolean sigVerify = config.path("sigVerify").asBoolean(false);
        boolean replace = config.path("replaceRecentBlockhash").asBoolean(false);
        if (sigVerify && replace) throw new RpcError(INVALID_PARAMS, "sigVerify may not be used with replaceRecentBlockhash");
        SimulationResult result = ledger.simulate(tx, sigVerify, replace);
        ObjectNode value = NODES.objectNode();
        value.set("accounts", NODES.nullNode());
        value.set("err", result.err() == null ? NODES.nullNode() : JSON.valueToTree(result.err().toJson()));
        value.set("innerInstructions", NODES.nullNode());
        ArrayNode logs = value.putArray("logs");
        result.logs().forEach(logs::add);
        if (replace) {
            long slot = ledger.slot();
            value.putObject("replacementBlockhash").put("blockhash", Pubkey.base58Encode(ledger.blockhash(slot)))
                    .put("lastValidBlockHeight", Ledger.lastValidBlockHeight(slot));
        } else {
            value.set("replacementBlockhash", NODES.nullNode());
        }
        value.set("returnData", NODES.nullNode());
        value.put("unitsConsumed", result.unitsConsumed());
        return withContext(result.slot(), value);
    }

    private JsonNode signatureStatuses(JsonNode params) {
        ArrayNode values = NODES.arrayNode();
        JsonNode sigs = param(params, 0);
        if (sigs.size() > 256) throw new RpcError(INVALID_PARAMS, "Too many inputs provided; max 256");
        for (JsonNode s : sigs) {
            TransactionRecord r = ledger.transaction(signature(s)).orElse(null);
            if (r == null) {
                values.addNull();
                continue;
            }
            ObjectNode status = values.addObject();
            status.put("slot", r.slot());
            status.set("confirmations", NODES.nullNode()); // durable on commit: reported as finalized
            status.set("err", errJson(r.err()));
            status.set("status", statusJson(r.err()));
            status.put("confirmationStatus", "finalized");
        }
        return withContext(ledger.slot(), values);
    }

    private static byte[] signature(JsonNode node) {
        byte[] sig;
        try {
            sig = Pubkey.base58Decode(node.asText());
        } catch (IllegalArgumentException e) {
            throw new RpcError(INVALID_PARAMS, "Invalid param: " + e.getMessage());
        }
        if (sig.length != 64) throw new RpcError(INVALID_PARAMS, "Invalid param: WrongSize");
        return sig;
    }

    static JsonNode errJson(TransactionError err) {
        return err == null ? NODES.nullNode() : JSON.valueToTree(err.toJson());
    }

    private static JsonNode statusJson(TransactionError err) {
        ObjectNode status = NODES.objectNode();
        if (err == null) status.set("Ok", NODES.nullNode());
        else status.set("Err", errJson(err));
        return status;
    }

    private JsonNode transaction(JsonNode params) {
        TransactionRecord r = ledger.transaction(signature(param(params, 0))).orElse(null);
        if (r == null) return NODES.nullNode();
        String encoding = params.path(1).path("encoding").asText("json");
        ObjectNode out = NODES.objectNode();
        out.put("slot", r.slot());
        out.put("blockTime", r.blockTime());
        WireTransaction tx = r.transaction();
        if (encoding.equals("base64")) {
            out.putArray("transaction").add(Base64.getEncoder().encodeToString(r.wire())).add("base64");
        } else if (encoding.equals("json") || encoding.equals("jsonParsed")) {
            ObjectNode t = out.putObject("transaction");
            ArrayNode sigs = t.putArray("signatures");
            for (byte[] s : tx.signatures()) sigs.add(Pubkey.base58Encode(s));
            ObjectNode message = t.putObject("message");
            ArrayNode keys = message.putArray("accountKeys");
            for (Pubkey k : tx.accountKeys()) keys.add(k.toBase58());
            message.putObject("header").put("numReadonlySignedAccounts", tx.numReadonlySigned())
                    .put("numReadonlyUnsignedAccounts", tx.numReadonlyUnsigned())
                    .put("numRequiredSignatures", tx.numRequiredSignatures());
            ArrayNode ixs = message.putArray("instructions");
            for (Message.CompiledInstruction ix : tx.instructions()) {
                ObjectNode i = ixs.addObject();
                ArrayNode accounts = i.putArray("accounts");
                for (int a : ix.accountIndexes()) accounts.add(a);
                i.put("data", Pubkey.base58Encode(ix.data()));
                i.put("programIdIndex", ix.programIdIndex());
                i.set("stackHeight", NODES.nullNode());
            }
            message.put("recentBlockhash", Pubkey.base58Encode(tx.recentBlockhash()));
        } else {
            throw new RpcError(INVALID_PARAMS, "Invalid params: unsupported encoding " + encoding);
        }
        ObjectNode meta = out.putObject("meta");
        meta.put("computeUnitsConsumed", r.unitsConsumed());
        meta.set("err", errJson(r.err()));
        meta.put("fee", r.fee());
        meta.putArray("innerInstructions");
        meta.putObject("loadedAddresses").putArray("readonly");
        ((ObjectNode) meta.get("loadedAddresses")).putArray("writable");
        ArrayNode logs = meta.putArray("logMessages");
        r.logs().forEach(logs::add);
        ArrayNode pre = meta.putArray("preBalances");
        for (long b : r.preBalances()) pre.add(b);
        ArrayNode post = meta.putArray("postBalances");
        for (long b : r.postBalances()) post.add(b);
        meta.putArray("preTokenBalances");
        meta.putArray("postTokenBalances");
        meta.putArray("rewards");
        meta.set("status", statusJson(r.err()));
        out.put("version", "legacy");
        return out;
    }

    private JsonNode tokenAccountBalance(JsonNode params) {
        AccountState account = ledger.account(pubkey(param(params, 0)));
        if (account == null || !account.owner().equals(TokenProgram.ID) || account.dataLength() != TokenAccount.SIZE) {
            throw new RpcError(INVALID_PARAMS, "Invalid param: not a Token account");
        }
        TokenAccount token = TokenAccount.decode(account.dataUnsafe());
        AccountState mintAccount = ledger.account(token.mint());
        if (mintAccount == null || mintAccount.dataLength() != TokenMint.SIZE) {
            throw new RpcError(INVALID_PARAMS, "Invalid param: could not find mint");
        }
        int decimals = TokenMint.decode(mintAccount.dataUnsafe()).decimals();
        java.math.BigDecimal ui = new java.math.BigDecimal(new java.math.BigInteger(Long.toUnsignedString(token.amount())), decimals);
        ObjectNode value = NODES.objectNode();
        value.put("amount", Long.toUnsignedString(token.amount()));
        value.put("decimals", decimals);
        value.put("uiAmount", ui.doubleValue());
        value.put("uiAmountString", ui.stripTrailingZeros().toPlainString());
        return withContext(ledger.slot(), value);
    }
}
