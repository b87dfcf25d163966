package psyche.chain.rpc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import psyche.chain.rpc.RpcTypes.AccountInfo;
import psyche.chain.rpc.RpcTypes.Blockhash;
import psyche.chain.rpc.RpcTypes.DataSlice;
import psyche.chain.rpc.RpcTypes.Filter;
import psyche.chain.rpc.RpcTypes.ProgramAccount;
import psyche.chain.rpc.RpcTypes.SignatureStatus;
import psyche.chain.rpc.RpcTypes.Simulation;
import psyche.coordinator.Pubkey;

/**
 * A Solana JSON-RPC client over one or more endpoints (the next one is tried when one fails). Retries, with
 * exponential backoff and a bound, only what can succeed on retry: HTTP 429 and 5xx, connection failures and
 * resets, timeouts, "node unhealthy". Program and transaction errors are never retried: they surface as
 * {@link TransactionFailedException}. {@link #sendAndConfirm} re-signs only once an earlier signature provably
 * cannot land, so nothing is applied twice.
 */
public final class RpcClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** JSON-RPC codes a node returns when it is behind or unhealthy: worth another try. */
    private static final List<Integer> RETRYABLE_RPC_CODES = List.of(-32004, -32005, -32014, -32016);

    private final List<URI> endpoints;
    private final HttpClient http;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration requestTimeout;
    private final Duration callDeadline;
    private final Duration pollInterval;
    private final Duration confirmTimeout;
    private final Commitment commitment;
    private final int maxResigns;
    private final AtomicInteger preferred = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    private RpcClient(Builder b) {
        this.endpoints = List.copyOf(b.endpoints);
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.requestTimeout = b.requestTimeout;
        this.callDeadline = b.callDeadline;
        this.pollInterval = b.pollInterval;
        this.confirmTimeout = b.confirmTimeout;
        this.commitment = b.commitment;
        this.maxResigns = b.maxResigns;
        this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public static Builder builder() { return new Builder(); }

    /** A client for one endpoint (URL or moniker) with default retries. */
    public static RpcClient connect(String endpoint) { return builder().optEndpoint(endpoint).build(); }

    public List<URI> endpoints() { return endpoints; }

    public Commitment commitment() { return commitment; }

    /** Response bytes received so far (to compare the cost of queries). */
    public long bytesReceived() { return bytesReceived.get(); }

    /** HTTP requests sent so far, retries included. */
    public long requestCount() { return requests.get(); }

    @Override public void close() {
        // java.net.http.HttpClient has no close() before JDK 21; its threads are daemon threads and end with it
    }

    // ------------------------------------------------------------------ transport

    /** Calls {@code method} with positional {@code params} and returns its {@code result}. */
    public JsonNode call(String method, Object... params) {
        ObjectNode request = NODES.objectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", ids.incrementAndGet());
        request.put("method", method);
        ArrayNode p = request.putArray("params");
        for (Object o : params) p.add(o == null ? NODES.nullNode() : JSON.<JsonNode>valueToTree(o));
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode the parameters of " + method, e);
        }
        RpcException last = null;
        int start = preferred.get();
        long deadline = System.nanoTime() + callDeadline.toNanos();
        int attempts = 0;
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            int index = Math.floorMod(start + attempt, endpoints.size());
            URI endpoint = endpoints.get(index);
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            attempts++;
            try {
                JsonNode result = send(endpoint, method, body, Duration.ofNanos(Math.min(left, requestTimeout.toNanos())));
                preferred.set(index);
                return result;
            } catch (RpcException e) {
                if (!e.retryable()) throw e;
                last = e;
            }
            if (attempt < maxRetries) {
                Duration pause = backoff(attempt);
                if (System.nanoTime() + pause.toNanos() - deadline >= 0) break; // no time left for another attempt
                sleep(pause);
            }
        }
        throw new RpcException(method + " failed after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + " in "
                + callDeadline.toSeconds() + " s at most over " + endpoints + "; last: " + (last == null ? "none" : last.getMessage())
                + ". Check the endpoint (--rpc) or try again later", last == null ? 0 : last.code(), true, last);
    }

    private JsonNode send(URI endpoint, String method, byte[] body, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response;
        requests.incrementAndGet();
        // the request timeout covers only the answer's head: the whole answer must arrive within it too
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            response = pending.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            pending.cancel(true);
            throw new RpcException(method + " to " + endpoint + ": no whole answer within " + timeout.toMillis() + " ms", 0, true, e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String what = cause instanceof java.net.http.HttpTimeoutException ? "no answer within " + timeout.toMillis() + " ms"
                    : cause instanceof java.net.ConnectException
                    // nothing listens there: name what starts one, since a retry alone cannot help
                    ? "connection refused (no validator running there); start the local chain with `run-manager local-validator` "
                      + "(or Psyche.local() in a notebook), or pass --rpc"
                    : String.valueOf(cause);
            throw new RpcException(method + " to " + endpoint + ": " + what, 0, true, cause);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new RpcException(method + " to " + endpoint + " interrupted", 0, false, e);
        }
        bytesReceived.addAndGet(response.body().length);
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            throw new RpcException(method + " to " + endpoint + ": HTTP " + status, status, true);
        }
        if (status != 200) {
            throw new RpcException(method + " to " + endpoint + ": HTTP " + status + " "
                    + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8), status, false);
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new RpcException(method + " to " + endpoint + ": the answer is not JSON (" + describe(response.body()) + ")", 0, true, e);
        }
        if (json == null || !json.isObject()) {
            throw new RpcException(method + " to " + endpoint + ": the answer is not a JSON-RPC response ("
                    + (response.body().length == 0 ? "empty" : describe(response.body())) + ")", 0, true);
        }
        JsonNode error = json.get("error");
        if (error != null && !error.isNull()) throw toException(method, endpoint, error);
        if (!json.has("result")) {
            throw new RpcException(method + " to " + endpoint + ": the answer has neither a result nor an error ("
                    + describe(response.body()) + ")", 0, true);
        }
        return json.get("result");
    }

    /** The start of an unexpected answer, on one line, for an error message. */
    private static String describe(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 80), java.nio.charset.StandardCharsets.UTF_8)
                .replaceAll("[\\p{Cntrl}]", " ");
        return "it begins: " + text + (body.length > 80 ? "..." : "");
    }

    /** A result whose shape is wrong (e.g. fewer statuses than signatures asked for): one line naming the endpoint. */
    private RpcException malformed(String method, String what) {
        return new RpcException(method + " to " + endpoints.get(Math.floorMod(preferred.get(), endpoints.size()))
                + ": malformed answer: " + what, 0, false);
    }

    private static RpcException toException(String method, URI endpoint, JsonNode error) {
        int code = error.path("code").asInt();
        String message = error.path("message").asText();
        JsonNode data = error.path("data");
        if (code == -32002 && data.has("err")) {
            List<String> logs = new ArrayList<>();
            data.path("logs").forEach(l -> logs.add(l.asText()));
            return new TransactionFailedException(message, code, null, data.get("err"), logs);
        }
        if (code == -32003) {
            return new TransactionFailedException(message, code, null, TextNode.valueOf("SignatureFailure"), List.of());
        }
        return new RpcException(method + " to " + endpoint + ": " + message + " (code " + code + ")", code,
                RETRYABLE_RPC_CODES.contains(code));
    }

    private Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(attempt, 16);
        long capped = Math.min(base, maxBackoff.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException("interrupted while waiting to retry", 0, false, e);
        }
    }

    private ObjectNode config() {
        return NODES.objectNode().put("commitment", commitment.json());
    }

    // ------------------------------------------------------------------ reads

    public String getHealth() { return call("getHealth").asText(); }

    public long getSlot() { return call("getSlot", config()).asLong(); }

    public long getBlockHeight() { return call("getBlockHeight", config()).asLong(); }

    public Blockhash getLatestBlockhash() {
        JsonNode v = call("getLatestBlockhash", config()).path("value");
        return new Blockhash(v.path("blockhash").asText(), v.path("lastValidBlockHeight").asLong());
    }

    public boolean isBlockhashValid(String blockhash) {
        return call("isBlockhashValid", blockhash, config()).path("value").asBoolean();
    }

    public long getBalance(String pubkey) { return call("getBalance", pubkey, config()).path("value").asLong(); }

    public long getMinimumBalanceForRentExemption(long dataLength) {
        return call("getMinimumBalanceForRentExemption", dataLength).asLong();
    }

    /** The account, or null when it does not exist; {@code slice} may be null for all of the data. */
    public AccountInfo getAccountInfo(String pubkey, DataSlice slice) {
        return AccountInfo.fromJson(call("getAccountInfo", pubkey, accountConfig(slice)).path("value"));
    }

    public AccountInfo getAccountInfo(String pubkey) { return getAccountInfo(pubkey, null); }

    /** Accounts in the order asked (null for missing), fetched 100 per request. */
    public List<AccountInfo> getMultipleAccounts(List<String> pubkeys, DataSlice slice) {
        List<AccountInfo> out = new ArrayList<>(pubkeys.size());
        for (int i = 0; i < pubkeys.size(); i += 100) {
            JsonNode values = call("getMultipleAccounts", pubkeys.subList(i, Math.min(i + 100, pubkeys.size())),
                    accountConfig(slice)).path("value");
            for (JsonNode v : values) out.add(AccountInfo.fromJson(v));
        }
        return out;
    }

    /** Accounts owned by {@code programId} that pass every filter; only {@code slice} of their data when given. */
    public List<ProgramAccount> getProgramAccounts(String programId, List<Filter> filters, DataSlice slice) {
        ObjectNode cfg = accountConfig(slice);
        ArrayNode f = cfg.putArray("filters");
        for (Filter filter : filters) {
            if (filter.kind().equals("memcmp")) {
                f.addObject().putObject("memcmp").put("offset", filter.offset())
                        .put("bytes", Base64.getEncoder().encodeToString(filter.bytes())).put("encoding", "base64");
            } else {
                f.addObject().put("dataSize", filter.dataSize());
            }
        }
        JsonNode result = call("getProgramAccounts", programId, cfg);
        JsonNode values = result.isArray() ? result : result.path("value");
        List<ProgramAccount> out = new ArrayList<>();
        for (JsonNode v : values) out.add(new ProgramAccount(v.path("pubkey").asText(), AccountInfo.fromJson(v.path("account"))));
        return out;
    }

    private ObjectNode accountConfig(DataSlice slice) {
        ObjectNode cfg = config().put("encoding", "base64");
        if (slice != null) cfg.putObject("dataSlice").put("offset", slice.offset()).put("length", slice.length());
        return cfg;
    }

    /** Statuses in the order asked; null where the chain has never seen the signature. */
    public List<SignatureStatus> getSignatureStatuses(List<String> signatures) {
        JsonNode values = call("getSignatureStatuses", signatures,
                NODES.objectNode().put("searchTransactionHistory", true)).path("value");
        if (!values.isArray() || values.size() != signatures.size()) {
            throw malformed("getSignatureStatuses", (values.isArray() ? values.size() + " statuses" : "no status list")
                    + " for " + signatures.size() + " signatures");
        }
        List<SignatureStatus> out = new ArrayList<>();
        for (JsonNode v : values) {
            out.add(v == null || v.isNull() ? null : new SignatureStatus(v.path("slot").asLong(),
                    v.path("confirmations").isNull() ? null : v.path("confirmations").asLong(),
                    v.path("err").isNull() ? null : v.get("err"), v.path("confirmationStatus").asText(null)));
        }
        return out;
    }

    /** getTransaction (json encoding) or null when unknown. */
    public JsonNode getTransaction(String signature) {
        JsonNode r = call("getTransaction", signature, config().put("encoding", "json").put("maxSupportedTransactionVersion", 0));
        return r.isNull() || r.isMissingNode() ? null : r;
    }

    // ------------------------------------------------------------------ writes

    /** Asks the cluster's faucet (local chain, devnet, testnet) for lamports; returns the airdrop's signature. */
    public String requestAirdrop(String pubkey, long lamports) {
        return call("requestAirdrop", pubkey, lamports, config()).asText();
    }

    public Simulation simulateTransaction(byte[] transaction, boolean sigVerify, boolean replaceRecentBlockhash) {
        ObjectNode cfg = config().put("encoding", "base64").put("sigVerify", sigVerify)
                .put("replaceRecentBlockhash", replaceRecentBlockhash);
        JsonNode v = call("simulateTransaction", Base64.getEncoder().encodeToString(transaction), cfg).path("value");
        List<String> logs = new ArrayList<>();
        v.path("logs").forEach(l -> logs.add(l.asText()));
        return new Simulation(v.path("err").isNull() ? null : v.get("err"), logs, v.path("unitsConsumed").asLong());
    }

    /**
     * Sends signed transaction bytes (preflight simulation on unless {@code skipPreflight}) and returns its signature.
     * Transport failures are retried with the same bytes, which cannot apply twice (same signature); a retry
     * answered "already processed" is the first attempt having landed, and returns normally.
     */
    public String sendTransaction(byte[] transaction, boolean skipPreflight) {
        String signature = signatureOf(transaction);
        ObjectNode cfg = NODES.objectNode().put("encoding", "base64").put("skipPreflight", skipPreflight)
                .put("preflightCommitment", commitment.json()).put("maxRetries", 0);
        try {
            String returned = call("sendTransaction", Base64.getEncoder().encodeToString(transaction), cfg).asText();
            if (!returned.equals(signature)) {
                throw new RpcException("the node returned signature " + returned + " for transaction " + signature, 0, false);
            }
            return signature;
        } catch (TransactionFailedException e) {
            // a resend of bytes that already landed (the first response was lost): same signature, applied once
            if (e.isAlreadyProcessed() && getSignatureStatuses(List.of(signature)).get(0) != null) return signature;
            throw e;
        }
    }

    public String sendTransaction(byte[] transaction) { return sendTransaction(transaction, false); }

    /**
     * Waits until {@code signature} reaches {@code level}; throws {@link TransactionFailedException} (with its
     * logs) if it landed with an error, {@link BlockhashExpiredException} once block height passes
     * {@code lastValidBlockHeight} (0: no expiry check) without it landing.
     */
    public SignatureStatus confirm(String signature, Commitment level, long lastValidBlockHeight) {
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        while (true) {
            SignatureStatus status = getSignatureStatuses(List.of(signature)).get(0);
            if (status != null && !status.succeeded()) {
                JsonNode tx = getTransaction(signature);
                List<String> logs = new ArrayList<>();
                if (tx != null) tx.path("meta").path("logMessages").forEach(l -> logs.add(l.asText()));
                throw new TransactionFailedException("transaction " + signature + " failed", 0, signature, status.err(), logs);
            }
            if (status != null && level.satisfiedBy(status.confirmationStatus())) return status;
            if (status == null && lastValidBlockHeight > 0) {
                long height = getBlockHeight();
                if (height > lastValidBlockHeight) {
                    // one last look: it may have landed in the meantime
                    SignatureStatus late = getSignatureStatuses(List.of(signature)).get(0);
                    if (late == null) throw new BlockhashExpiredException(signature, lastValidBlockHeight, height);
                    continue;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new RpcException("transaction " + signature + " not " + level.json() + " within " + confirmTimeout
                        + "; check it later with getSignatureStatuses", 0, true);
            }
            sleep(pollInterval);
        }
    }

    /**
     * Signs (with a fresh blockhash), sends and confirms at this client's commitment, exactly once: a transaction
     * is signed again only when every earlier signature is known not to have landed and can no longer land
     * (blockhash rejected or expired). Returns the signature that landed.
     */
    public String sendAndConfirm(Function<Blockhash, byte[]> signWithBlockhash) {
        List<String> sent = new ArrayList<>();
        for (int round = 0; round <= maxResigns; round++) {
            Blockhash blockhash = getLatestBlockhash();
            byte[] transaction = signWithBlockhash.apply(blockhash);
            String signature = signatureOf(transaction);
            if (round == 0 && getSignatureStatuses(List.of(signature)).get(0) != null) {
                // An earlier call sent these very instructions under this blockhash (ed25519 signatures are
                // deterministic, so the bytes are identical) and they landed. This call is a new action: sign it
                // under a newer blockhash instead of being answered "already processed".
                blockhash = awaitNewerBlockhash(blockhash);
                transaction = signWithBlockhash.apply(blockhash);
                signature = signatureOf(transaction);
            }
            sent.add(signature);
            try {
                sendTransaction(transaction, false);
            } catch (TransactionFailedException e) {
                if (!e.isBlockhashNotFound()) throw e;
                String landed = firstLanded(sent);
                if (landed != null) return confirmLanded(landed);
                continue; // rejected before execution: safe to re-sign
            } catch (RpcException e) {
                if (!e.retryable()) throw e;
                // transport gave up: the transaction may or may not have arrived; confirm() settles it
            }
            try {
                confirm(signature, commitment, blockhash.lastValidBlockHeight());
                return signature;
            } catch (BlockhashExpiredException expired) {
                String landed = firstLanded(sent);
                if (landed != null) return confirmLanded(landed);
            }
        }
        throw new RpcException("transaction did not land after " + (maxResigns + 1) + " blockhashes (signatures " + sent
                + "); the cluster may be congested: try again", 0, true);
    }

    private Blockhash awaitNewerBlockhash(Blockhash used) {
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            Blockhash latest = getLatestBlockhash();
            if (!latest.blockhash().equals(used.blockhash())) return latest;
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RpcException("interrupted while waiting for a new blockhash", 0, false);
            }
        }
        throw new RpcException("the cluster produced no new blockhash within " + confirmTimeout.toSeconds()
                + " s; is the node stalled?", 0, true);
    }

    private String firstLanded(List<String> signatures) {
        List<SignatureStatus> statuses = getSignatureStatuses(signatures);
        for (int i = 0; i < statuses.size(); i++) if (statuses.get(i) != null) return signatures.get(i);
        return null;
    }

    private String confirmLanded(String signature) {
        confirm(signature, commitment, 0);
        return signature;
    }

    /** The base58 first signature of serialized transaction bytes (its id). */
    public static String signatureOf(byte[] transaction) {
        int count = transaction[0] & 0x7f; // compact-u16; a transaction has fewer than 128 signatures
        if (count == 0 || transaction.length < 1 + 64) {
            throw new IllegalArgumentException("transaction bytes carry no signature");
        }
        return Pubkey.base58Encode(java.util.Arrays.copyOfRange(transaction, 1, 65));
    }

    /** Options of an RPC client; only the endpoint list is required. */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private int maxRetries = 4;
        private Duration initialBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(4);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(15);
        private Duration callDeadline = Duration.ofSeconds(45);
        private Duration pollInterval = Duration.ofMillis(250);
        private Duration confirmTimeout = Duration.ofSeconds(90);
        private Commitment commitment = Commitment.CONFIRMED;
        private int maxResigns = 3;

        private Builder() {}

        /** Adds an endpoint (URL or moniker: localhost, devnet, testnet, mainnet-beta); later ones are fallbacks. */
        public Builder optEndpoint(String urlOrMoniker) { endpoints.add(Endpoints.resolve(urlOrMoniker)); return this; }
        public Builder optEndpoints(List<String> urlsOrMonikers) { urlsOrMonikers.forEach(this::optEndpoint); return this; }
        /** Retries after the first attempt, for what can succeed on retry. */
        public Builder optMaxRetries(int n) { this.maxRetries = Math.max(0, n); return this; }
        public Builder optBackoff(Duration initial, Duration max) {
            this.initialBackoff = Objects.requireNonNull(initial);
            this.maxBackoff = Objects.requireNonNull(max);
            return this;
        }
        public Builder optConnectTimeout(Duration d) { this.connectTimeout = Objects.requireNonNull(d); return this; }
        /** How long one attempt may take, its whole answer included (default 15 s). */
        public Builder optRequestTimeout(Duration d) { this.requestTimeout = Objects.requireNonNull(d); return this; }
        /** How long one call may take, every retry included (default 45 s): an RPC that hangs fails within this. */
        public Builder optCallDeadline(Duration d) { this.callDeadline = Objects.requireNonNull(d); return this; }
        public Builder optPollInterval(Duration d) { this.pollInterval = Objects.requireNonNull(d); return this; }
        public Builder optConfirmTimeout(Duration d) { this.confirmTimeout = Objects.requireNonNull(d); return this; }
        public Builder optCommitment(Commitment c) { this.commitment = Objects.requireNonNull(c); return this; }
        /** How many times sendAndConfirm may re-sign with a fresh blockhash. */
        public Builder optMaxResigns(int n) { this.maxResigns = Math.max(0, n); return this; }

        public RpcClient build() {
            if (endpoints.isEmpty()) endpoints.add(Endpoints.resolve("localhost"));
            return new RpcClient(this);
        }
    }
}
