package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import psyche.chain.Rent;
import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;

/** accountSubscribe and signatureSubscribe over the PubSub WebSocket, with the JDK's WebSocket client. */
class WebSocketRpcServer_SubscribeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test void accountAndSignatureNotifications() throws Exception {
        try (LocalChain chain = LocalChain.builder().optInMemory().optRpcPort(0).start()) {
            BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(chain.wsUrl()),
                    new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();
                        @Override public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                try { messages.add(JSON.readTree(text.toString())); } catch (Exception e) { throw new IllegalStateException(e); }
                                text.setLength(0);
                            }
                            socket.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            Pubkey target = Pubkey.of(Hashing.sha256("watched".getBytes()));
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"accountSubscribe\",\"params\":[\"" + target
                    + "\",{\"encoding\":\"base64\",\"commitment\":\"confirmed\"}]}", true).get(5, TimeUnit.SECONDS);
            JsonNode subscribed = messages.poll(10, TimeUnit.SECONDS);
            long subscription = subscribed.path("result").asLong();
            assertTrue(subscription > 0, String.valueOf(subscribed));

            TransactionRecord airdrop = chain.ledger().airdrop(target, 3 * Rent.LAMPORTS_PER_SOL);
            JsonNode notification = messages.poll(10, TimeUnit.SECONDS);
            assertEquals("accountNotification", notification.path("method").asText());
            assertEquals(subscription, notification.path("params").path("subscription").asLong());
            assertEquals(3 * Rent.LAMPORTS_PER_SOL, notification.path("params").path("result").path("value").path("lamports").asLong());

            // a signature already landed: notified at once, one shot
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"signatureSubscribe\",\"params\":[\""
                    + airdrop.signatureBase58() + "\"]}", true).get(5, TimeUnit.SECONDS);
            assertTrue(messages.poll(10, TimeUnit.SECONDS).has("result"));
            JsonNode signature = messages.poll(10, TimeUnit.SECONDS);
            assertEquals("signatureNotification", signature.path("method").asText());
            assertTrue(signature.path("params").path("result").path("value").path("err").isNull());

            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"accountUnsubscribe\",\"params\":[" + subscription + "]}", true)
                    .get(5, TimeUnit.SECONDS);
            assertTrue(messages.poll(10, TimeUnit.SECONDS).path("result").asBoolean());
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
    }
}
