package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.programs.SystemProgram;

import psyche.chain.Rent;
import psyche.chain.rpc.RpcClient;
import psyche.coordinator.Pubkey;

/**
 * A confirmed sendTransaction is answered from the log's fsync: never before the transaction is durable, and with
 * no server thread parked waiting for that fsync meanwhile (the log's flusher is held back here by a latch).
 */
class RpcServer_DurableAnswerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static CompletableFuture<HttpResponse<String>> post(RpcServer server, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(server.url())).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Threads inside the RPC server's code or a wait for the log (the log's flusher, held in the test's latch, is in
     * neither): with the fsync held and one sendTransaction in flight, a thread there is one parked on the fsync.
     */
    private static List<String> threadsWaitingForTheLog() {
        List<String> waiting = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement frame : e.getValue()) {
                String type = frame.getClassName();
                if (type.equals(RpcServer.class.getName()) || type.startsWith(RpcServer.class.getName() + "$")
                        || type.equals(LedgerStore.class.getName()) && frame.getMethodName().equals("awaitDurable")) {
                    waiting.add(e.getKey().getName());
                    break;
                }
            }
        }
        return waiting;
    }

    /** The log's flusher counts {@code flushing} down before each write and fsync, then waits for {@code release}. */
    private static void holdTheFsync(Ledger ledger, CountDownLatch flushing, CountDownLatch release) {
        ledger.beforeFlush(() -> {
            flushing.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test void sendTransactionIsAnsweredOnlyOnceDurableAndNoThreadWaitsForTheFsync(@TempDir Path dir) throws Exception {
        try (Ledger ledger = Ledger.open(dir.resolve("ledger"), true, Clock.systemUTC(), List.of());
             RpcServer server = new RpcServer(ledger, 0, 8)) {
            Account payer = new Account();
            ledger.airdrop(SolanajTransactions.key(payer), 10 * Rent.LAMPORTS_PER_SOL);
            long countBefore = ledger.transactionCount();
            byte[] tx = SolanajTransactions.sign(Pubkey.base58Encode(ledger.latestBlockhash()), List.of(payer),
                    SystemProgram.transfer(payer.getPublicKey(), new Account().getPublicKey(), Rent.LAMPORTS_PER_SOL / 100));
            String signature = RpcClient.signatureOf(tx);
            byte[] sig = Pubkey.base58Decode(signature);

            CountDownLatch flushing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            holdTheFsync(ledger, flushing, release);
            CompletableFuture<HttpResponse<String>> answer;
            try {
                answer = post(server, "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"sendTransaction\",\"params\":[\""
                        + Base64.getEncoder().encodeToString(tx) + "\",{\"encoding\":\"base64\"}]}");
                assertTrue(flushing.await(10, TimeUnit.SECONDS), "the transaction never reached the log");
                // the fsync is held: no answer, not reported as processed, and no server thread parked on the log
                Thread.sleep(300);
                assertFalse(answer.isDone(), "answered before the log was fsynced");
                assertTrue(ledger.transaction(sig).isEmpty(), "reported as processed before the log was fsynced");
                assertEquals(countBefore, ledger.transactionCount());
                assertEquals(List.of(), threadsWaitingForTheLog(), "threads parked on the fsync");
                // the server still answers others meanwhile
                HttpResponse<String> health = post(server, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}")
                        .get(10, TimeUnit.SECONDS);
                assertEquals("{\"jsonrpc\":\"2.0\",\"result\":\"ok\",\"id\":1}", health.body());
                assertFalse(answer.isDone(), "answered before the log was fsynced");
            } finally {
                release.countDown();
            }
            HttpResponse<String> sent = answer.get(20, TimeUnit.SECONDS);
            assertEquals(200, sent.statusCode());
            assertEquals("{\"jsonrpc\":\"2.0\",\"result\":\"" + signature + "\",\"id\":41}", sent.body());
            assertTrue(ledger.transaction(sig).isPresent(), "answered, yet not reported as processed");
            assertEquals(countBefore + 1, ledger.transactionCount());
            ledger.beforeFlush(null);
        }
    }

    @Test void closeWaitsForAnAnswerHeldByTheFsync(@TempDir Path dir) throws Exception {
        try (Ledger ledger = Ledger.open(dir.resolve("ledger"), true, Clock.systemUTC(), List.of())) {
            Account payer = new Account();
            ledger.airdrop(SolanajTransactions.key(payer), 10 * Rent.LAMPORTS_PER_SOL);
            byte[] tx = SolanajTransactions.sign(Pubkey.base58Encode(ledger.latestBlockhash()), List.of(payer),
                    SystemProgram.transfer(payer.getPublicKey(), new Account().getPublicKey(), Rent.LAMPORTS_PER_SOL / 100));
            CountDownLatch flushing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            holdTheFsync(ledger, flushing, release);
            RpcServer server = new RpcServer(ledger, 0, 8);
            CompletableFuture<Void> closed;
            try {
                post(server, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sendTransaction\",\"params\":[\""
                        + Pubkey.base58Encode(tx) + "\"]}");
                assertTrue(flushing.await(10, TimeUnit.SECONDS), "the transaction never reached the log");
                closed = CompletableFuture.runAsync(server::close);
                Thread.sleep(300);
                assertFalse(closed.isDone(), "close() did not wait for the answer in flight");
            } finally {
                release.countDown();
            }
            closed.get(20, TimeUnit.SECONDS);
            ledger.beforeFlush(null);
        }
    }
}
