package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import psyche.chain.Rent;
import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;
import psyche.net.HttpEdge;

/**
 * Requests a hostile client sends: non-array params, trailing garbage, bad numbers and data slices (JSON-RPC errors
 * with the reason, as Solana's validator answers), a batch whose answer would be huge (bounded, with an error past
 * the bound), and slow connections filling the server (others are still served).
 */
class RpcServer_HostileRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pubkey BIG = Pubkey.of(Hashing.sha256("coordinator-sized".getBytes()));
    private static final int BIG_LENGTH = 119_160;
    private static Ledger ledger;
    private static RpcServer server;

    @BeforeAll static void start() {
        ledger = Ledger.inMemory(Clock.systemUTC(), List.of());
        byte[] data = new byte[BIG_LENGTH];
        for (int i = 0; i < data.length; i++) data[i] = (byte) i;
        ledger.setAccount(BIG, new AccountState(Rent.exemptMinimum(data.length), Pubkey.SYSTEM, data, false, AccountState.DEFAULT_RENT_EPOCH));
        server = new RpcServer(ledger, 0, 16);
    }

    @AfterAll static void stop() {
        server.close();
        ledger.close();
    }

    private static String post(String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static JsonNode rpc(String method, String params) throws Exception {
        return JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\"" + (params == null ? "" : ",\"params\":" + params) + "}"));
    }

    private static void assertError(int code, String messagePart, JsonNode answer) {
        assertEquals(code, answer.path("error").path("code").asInt(), answer.toString());
        assertTrue(answer.path("error").path("message").asText().contains(messagePart), answer.toString());
    }

    @Test void paramsThatAreNotAnArrayAreRefused() throws Exception {
        assertError(-32600, "Invalid request", rpc("getBalance", "5"));
        assertError(-32600, "Invalid request", rpc("getBalance", "\"" + BIG + "\""));
        assertError(-32602, "invalid type: map, expected a sequence", rpc("getBalance", "{\"pubkey\":\"" + BIG + "\"}"));
        assertEquals("ok", rpc("getHealth", "null").path("result").asText(), "null params are no params");
        assertEquals("ok", rpc("getHealth", "[]").path("result").asText());
    }

    @Test void trailingGarbageAfterTheJsonIsAParseError() throws Exception {
        assertError(-32700, "Parse error", JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"} xyz")));
        assertError(-32700, "Parse error", JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}{}")));
        assertError(-32700, "Parse error", JSON.readTree(post(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sendTransaction\",\"params\":[\"abc\"]}]")));
        assertEquals("ok", JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}\r\n")).path("result").asText(),
                "trailing white space is fine");
    }

    @Test void numericParamsAreValidatedWithTheReason() throws Exception {
        assertError(-32602, "invalid type: string \"abc\", expected usize", rpc("getMinimumBalanceForRentExemption", "[\"abc\"]"));
        assertError(-32602, "invalid value: integer `-1`, expected usize", rpc("getMinimumBalanceForRentExemption", "[-1]"));
        assertError(-32602, "invalid type: floating point `1.5`", rpc("getMinimumBalanceForRentExemption", "[1.5]"));
        assertError(-32602, "over 10485760", rpc("getMinimumBalanceForRentExemption", "[9223372036854775807]"));
        assertError(-32602, "expected usize", rpc("getMinimumBalanceForRentExemption", "[18446744073709551616]"));
        assertEquals(Rent.exemptMinimum(100), rpc("getMinimumBalanceForRentExemption", "[100]").path("result").asLong());
        assertError(-32602, "invalid type: string \"5\", expected u64", rpc("requestAirdrop", "[\"" + BIG + "\", \"5\"]"));
        assertError(-32602, "expected u64", rpc("getProgramAccounts", "[\"" + Pubkey.SYSTEM + "\", {\"filters\":[{\"dataSize\":-3}]}]"));
    }

    @Test void dataSliceIsValidatedAndClippedWithoutAllocatingWhatWasAskedFor() throws Exception {
        JsonNode huge = rpc("getAccountInfo", "[\"" + BIG + "\", {\"encoding\":\"base64\",\"dataSlice\":{\"offset\":10,\"length\":2147483647}}]");
        byte[] data = Base64.getDecoder().decode(huge.path("result").path("value").path("data").get(0).asText());
        assertEquals(BIG_LENGTH - 10, data.length, huge.toString().substring(0, 200));
        assertEquals((byte) 10, data[0]);
        JsonNode past = rpc("getAccountInfo", "[\"" + BIG + "\", {\"encoding\":\"base64\",\"dataSlice\":{\"offset\":9223372036854775807,\"length\":9223372036854775807}}]");
        assertEquals("", past.path("result").path("value").path("data").get(0).asText());
        assertError(-32602, "invalid value: integer `-1`, expected usize",
                rpc("getAccountInfo", "[\"" + BIG + "\", {\"encoding\":\"base64\",\"dataSlice\":{\"offset\":-1,\"length\":4}}]"));
        assertError(-32602, "invalid type: string \"a\"",
                rpc("getAccountInfo", "[\"" + BIG + "\", {\"encoding\":\"base64\",\"dataSlice\":{\"offset\":\"a\",\"length\":4}}]"));
        assertError(-32602, "missing field `length`",
                rpc("getAccountInfo", "[\"" + BIG + "\", {\"encoding\":\"base64\",\"dataSlice\":{\"offset\":0}}]"));
    }

    @Test void aBatchWhoseAnswerWouldBeHugeIsBoundedWithAnErrorPastTheBound() throws Exception {
        StringBuilder batch = new StringBuilder("[");
        int calls = 0;
        while (batch.length() < 47_000) {
            if (calls > 0) batch.append(',');
            batch.append("{\"jsonrpc\":\"2.0\",\"id\":").append(calls++).append(",\"method\":\"getAccountInfo\",\"params\":[\"")
                    .append(BIG).append("\",{\"encoding\":\"base64\"}]}");
        }
        batch.append(']');
        long before = usedHeap();
        String body = post(batch.toString());
        JsonNode answers = JSON.readTree(body);
        assertEquals(calls, answers.size());
        int served = 0, refused = 0;
        for (JsonNode a : answers) {
            if (a.has("result")) served++;
            else {
                assertError(-32600, "bytes of account data for this request", a);
                refused++;
            }
        }
        long perAccount = 4L * ((BIG_LENGTH + 2) / 3);
        assertEquals(RpcServer.MAX_RESPONSE_DATA_BYTES / perAccount, served, "as many as fit the bound");
        assertTrue(refused > 0, calls + " calls");
        assertTrue(body.length() < RpcServer.MAX_RESPONSE_DATA_BYTES + 1_000_000L + 200L * calls, "answer bytes " + body.length());
        assertTrue(usedHeap() - before < 1L << 30, "heap");
        assertEquals("ok", rpc("getHealth", null).path("result").asText(), "and the server goes on");
    }

    private static long usedHeap() { return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory(); }

    @Test void slowClientsHoldingEveryConnectionDoNotLockOthersOut() throws Exception {
        List<Socket> slow = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            for (int i = 0; i < 16; i++) { // the server's limit
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                s.getOutputStream().write("POST / HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            Thread trickler = new Thread(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!stop.get() && System.nanoTime() < until) {
                    for (Socket s : slow) {
                        try {
                            s.getOutputStream().write('a'); // a header byte now and then: never idle, never done
                        } catch (IOException cut) {
                            // cut by the server
                        }
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            trickler.setDaemon(true);
            trickler.start();
            Thread.sleep(HttpEdge.EVICTABLE_AFTER_MILLIS + 300);
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                assertEquals("ok", rpc("getHealth", null).path("result").asText(), "request " + i);
                assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5_000);
            }
        } finally {
            stop.set(true);
            for (Socket s : slow) s.close();
        }
    }
}
