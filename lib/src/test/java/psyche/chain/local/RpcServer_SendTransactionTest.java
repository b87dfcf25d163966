package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.programs.SystemProgram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import psyche.chain.Rent;
import psyche.coordinator.Pubkey;

/**
 * sendTransaction answers byte for byte as Solana shapes them, whichever way the request is read: a single call
 * (read by the streaming fast path when its shape allows) gives the same answer as the same call inside a batch
 * (always read as a tree).
 */
class RpcServer_SendTransactionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static Ledger ledger;
    private static RpcServer server;
    private static Account payer;
    private static long amount = Rent.LAMPORTS_PER_SOL / 100; // above the rent-exempt minimum of a new account

    @BeforeAll static void start() {
        ledger = Ledger.inMemory(Clock.systemUTC(), List.of());
        server = new RpcServer(ledger, 0, 8);
        payer = new Account();
        ledger.airdrop(SolanajTransactions.key(payer), 10 * Rent.LAMPORTS_PER_SOL);
    }

    @AfterAll static void stop() {
        server.close();
        ledger.close();
    }

    private static String post(String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url()))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** A fresh transfer (distinct amount: distinct signature) of {@code lamports}, signed by the payer. */
    private static byte[] transfer(long lamports) {
        String blockhash = Pubkey.base58Encode(ledger.latestBlockhash());
        return SolanajTransactions.sign(blockhash, List.of(payer),
                SystemProgram.transfer(payer.getPublicKey(), new Account().getPublicKey(), lamports));
    }

    private static byte[] freshTransfer() { return transfer(amount++); }

    private static String b64(byte[] tx) { return Base64.getEncoder().encodeToString(tx); }

    /** The single call's answer equals the answer inside a one-call batch (for calls without effects). */
    private static void sameAnswerAlone(String call) throws Exception {
        String alone = post(call);
        String batched = post("[" + call + "]");
        assertEquals(JSON.readTree(batched).get(0).toString(), alone, call);
    }

    @Test void successAnswersTheSignatureWithTheIdAsSent() throws Exception {
        for (String id : List.of("7", "-3", "9007199254740993", "\"abc-1\"", "null")) {
            byte[] tx = freshTransfer();
            String sig = psyche.chain.rpc.RpcClient.signatureOf(tx);
            String answer = post("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"sendTransaction\",\"params\":[\""
                    + b64(tx) + "\",{\"encoding\":\"base64\",\"preflightCommitment\":\"confirmed\",\"maxRetries\":0}]}");
            assertEquals("{\"jsonrpc\":\"2.0\",\"result\":\"" + sig + "\",\"id\":" + id + "}", answer);
            assertTrue(ledger.transaction(Pubkey.base58Decode(sig)).isPresent());
        }
        // no id at all: null, as before
        byte[] tx = freshTransfer();
        assertEquals("{\"jsonrpc\":\"2.0\",\"result\":\"" + psyche.chain.rpc.RpcClient.signatureOf(tx) + "\",\"id\":null}",
                post("{\"method\":\"sendTransaction\",\"params\":[\"" + Pubkey.base58Encode(tx) + "\"],\"jsonrpc\":\"2.0\"}"));
    }

    @Test void unusualShapesStillWork() throws Exception {
        // ids the fast path leaves to the tree, a string skipPreflight, a null config: answered all the same
        for (String id : List.of("1.5", "\"tab\\there\"", "\"\\u00e9\"", "{\"a\":1}")) {
            byte[] tx = freshTransfer();
            JsonNode answer = JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"sendTransaction\",\"params\":[\""
                    + b64(tx) + "\",{\"encoding\":\"base64\",\"skipPreflight\":\"true\"}]}"));
            assertEquals(psyche.chain.rpc.RpcClient.signatureOf(tx), answer.path("result").asText());
            assertEquals(JSON.readTree(id), answer.path("id"));
        }
        byte[] tx = freshTransfer();
        assertEquals(psyche.chain.rpc.RpcClient.signatureOf(tx), JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"sendTransaction\",\"params\":[\"" + Pubkey.base58Encode(tx) + "\",null]}")).path("result").asText());
    }

    @Test void errorsAreTheSameAloneAndInABatch() throws Exception {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"sendTransaction\",\"params\":[\"%s\",%s]}";
        byte[] tx = freshTransfer();
        // invalid encodings and bytes
        sameAnswerAlone(String.format(call, "1", "!!!", "{\"encoding\":\"base64\"}"));
        sameAnswerAlone(String.format(call, "2", "0OIl", "{}"));
        sameAnswerAlone(String.format(call, "3", b64(tx), "{\"encoding\":\"base32\"}"));
        sameAnswerAlone(String.format(call, "4", b64(new byte[] {1, 2, 3}), "{\"encoding\":\"base64\"}"));
        // a bad signature
        byte[] forged = tx.clone();
        forged[5] ^= 1;
        sameAnswerAlone(String.format(call, "\"s\"", b64(forged), "{\"encoding\":\"base64\"}"));
        // preflight failure: more lamports than the payer has
        sameAnswerAlone(String.format(call, "6", b64(transfer(1_000 * Rent.LAMPORTS_PER_SOL)), "{\"encoding\":\"base64\"}"));
        // already processed: the first send lands, the next two are duplicates
        JsonNode first = JSON.readTree(post(String.format(call, "7", b64(tx), "{\"encoding\":\"base64\"}")));
        assertTrue(first.has("result"), first.toString());
        sameAnswerAlone(String.format(call, "8", b64(tx), "{\"encoding\":\"base64\"}"));
        // missing transaction
        sameAnswerAlone("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"sendTransaction\",\"params\":[]}");
        sameAnswerAlone("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"sendTransaction\"}");
    }
}
