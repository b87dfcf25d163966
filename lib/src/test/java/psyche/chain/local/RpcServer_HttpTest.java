package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The HTTP face of the JSON-RPC server: health, methods other than POST, envelopes, batches, ids, body limit. */
class RpcServer_HttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Ledger ledger;
    private static RpcServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll static void start() {
        ledger = Ledger.inMemory(Clock.systemUTC(), List.of());
        server = new RpcServer(ledger, 0, 8);
    }

    @AfterAll static void stop() {
        server.close();
        ledger.close();
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode rpc(String body) throws Exception {
        HttpResponse<String> r = post(body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(r.body());
    }

    @Test void getHealthOverGetAndPost() throws Exception {
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode());
        assertEquals("ok", get.body());
        assertEquals(JSON.readTree("{\"jsonrpc\":\"2.0\",\"result\":\"ok\",\"id\":1}"),
                rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}"));
    }

    @Test void methodsOtherThanPostAre405() throws Exception {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/"))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode(), method);
            assertEquals("{\"error\":\"use POST with a JSON-RPC 2.0 body\"}", r.body());
        }
    }

    @Test void anyPathServesJsonRpc() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/some/path?x=1"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"getHealth\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("ok", JSON.readTree(r.body()).path("result").asText());
    }

    @Test void envelopeErrorsKeepSolanasShapes() throws Exception {
        assertEquals(JSON.readTree("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}"),
                rpc("{not json"));
        assertEquals(JSON.readTree("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":\"s\"}"),
                rpc("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"noSuchMethod\"}"));
        assertEquals(JSON.readTree("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid request\"},\"id\":3}"),
                rpc("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":7}"));
        JsonNode badParams = rpc("{\"jsonrpc\":\"2.0\",\"id\":4.5,\"method\":\"sendTransaction\",\"params\":[\"!!\",{\"encoding\":\"base64\"}]}");
        assertEquals(-32602, badParams.path("error").path("code").asInt());
        assertEquals(4.5, badParams.path("id").asDouble());
        JsonNode missing = rpc("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"sendTransaction\",\"params\":[]}");
        assertEquals("Invalid params: missing parameter 0", missing.path("error").path("message").asText());
    }

    @Test void batchesAnswerEachCallInOrder() throws Exception {
        JsonNode all = rpc("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"getVersion\"}]");
        assertEquals(3, all.size());
        assertEquals("ok", all.get(0).path("result").asText());
        assertEquals(-32601, all.get(1).path("error").path("code").asInt());
        assertEquals(RpcServer.SOLANA_CORE_VERSION, all.get(2).path("result").path("solana-core").asText());
    }

    @Test void bodyOverSolanasLimitIs413() throws Exception {
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\",\"pad\":\"" + "p".repeat(60_000) + "\"}";
        HttpResponse<String> r = post(big);
        assertEquals(413, r.statusCode());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals(-32600, error.path("code").asInt());
        assertTrue(error.path("message").asText().contains("over the limit of 51200 bytes"), r.body());
        // the client recovers on a new connection
        assertEquals("ok", rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}").path("result").asText());
    }
}
