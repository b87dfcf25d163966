package psyche.train.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.Psyche;
import psyche.Run;
import psyche.coordinator.Pubkey;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions of one run find each other's results servers without flags: through the run's rendezvous directory on
 * this machine, and through a known peer's GET /peers. Sessions are built (servers up, discovery running), not started:
 * no training is needed to find peers.
 */
class ChainTraining_PeerDiscoveryTest {
    static final Path DATA = Path.of("../datasets/tiny/train.bin");
    @TempDir static Path tmp;
    static Psyche psyche;
    static Run run;

    @BeforeAll static void startChain() {
        psyche = Psyche.local(0, tmp.resolve("ledger"), tmp.resolve("owner.json"));
        psyche.authorize(null);
        run = psyche.createRun("discover").updateConfig(Path.of("../notebooks/configs/tiny.toml")).resume();
    }

    @AfterAll static void stopChain() {
        if (psyche != null) psyche.close();
    }

    static ChainTraining.Builder session(Path peersDir) {
        return ChainTraining.builder().setRun(run).optClients(1).optDevice("cpu").optDataset(DATA).optServeResults(0)
                .optPeersDir(peersDir).optPeerRefresh(Duration.ofMillis(100));
    }

    static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void writeEntry(Path dir, String client, String url, long pid, String account) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(client + ".json"), new ObjectMapper().createObjectNode().put("url", url)
                .put("pid", pid).put("client", client).put("account", account).toString());
    }

    @Test void twoSessionsFindEachOtherInTheDirectoryIgnoreStaleEntriesAndUnregisterOnClose() throws Exception {
        Path peers = tmp.resolve("peers-dir");
        Path runDir = peers.resolve("discover");
        try (ChainTraining a = session(peers).build(); ChainTraining b = session(peers).build()) {
            URI ua = a.resultsUrl().orElseThrow(), ub = b.resultsUrl().orElseThrow();
            assertEquals(runDir, a.peersDirectory().orElseThrow());
            Path fileA = runDir.resolve(a.clients().get(0).signer().toBase58() + ".json");
            Path fileB = runDir.resolve(b.clients().get(0).signer().toBase58() + ".json");
            assertTrue(Files.isRegularFile(fileA) && Files.isRegularFile(fileB));
            JsonNode entry = new ObjectMapper().readTree(Files.readString(fileA));
            assertEquals(ua.toString(), entry.path("url").asText());
            assertEquals(ProcessHandle.current().pid(), entry.path("pid").asLong());
            String account = entry.path("account").asText();
            assertEquals(32, Pubkey.fromBase58(account).bytes().length, account);

            // stale entries: a process that is gone, and a live process (this one) whose server does not answer
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            writeEntry(runDir, "gone", "http://127.0.0.1:" + closedPort(), gone.pid(), account);
            URI unreachable = URI.create("http://127.0.0.1:" + closedPort());
            writeEntry(runDir, "unreachable", unreachable.toString(), ProcessHandle.current().pid(), account);

            assertTrue(eventually(() -> a.peers().contains(ub) && b.peers().contains(ua)
                            && !Files.exists(runDir.resolve("gone.json"))),
                    () -> "a knows " + a.peers() + ", b knows " + b.peers());
            assertFalse(a.peers().contains(ua), "a session is not its own peer");
            assertFalse(a.peers().contains(unreachable) || b.peers().contains(unreachable), a.peers()::toString);
            assertFalse(Files.exists(runDir.resolve("gone.json")), "the entry of a process that is gone is removed");
            assertTrue(Files.exists(runDir.resolve("unreachable.json")), "a live process's entry is left to it");
            assertEquals(2, a.peers().size() + b.peers().size());

            // GET /peers names the session and what it knows
            HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(ua.resolve("/peers"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = new ObjectMapper().readTree(resp.body());
            assertEquals(200, resp.statusCode());
            assertEquals("discover", json.path("run").asText());
            assertEquals(account, json.path("account").asText());
            assertEquals(ua.toString(), json.path("url").asText());
            assertEquals(a.clients().get(0).signer().toBase58(), json.path("clients").get(0).asText());
            assertEquals(ub.toString(), json.path("peers").get(0).asText());

            // one explicit peer is enough: c reads no directory, and learns b from a's /peers
            try (ChainTraining c = session(tmp.resolve("elsewhere")).optPeerDiscovery(false).optPeer(ua).build()) {
                assertTrue(c.peersDirectory().isEmpty());
                assertTrue(eventually(() -> c.peers().contains(ub)), () -> "c knows " + c.peers());
                assertTrue(c.peers().contains(ua));
                assertFalse(Files.exists(tmp.resolve("elsewhere")), "discovery off: nothing registered");
            }

            b.close();
            assertFalse(Files.exists(fileB), "close removes the session's entry");
            assertTrue(Files.exists(fileA));
        }
        try (var left = Files.list(runDir)) {
            assertEquals(java.util.List.of(runDir.resolve("unreachable.json")), left.toList());
        }
    }

    @Test void anEntryOfTheSameRunIdOnAnotherChainIsIgnored() throws Exception {
        Path peers = tmp.resolve("peers-other-chain");
        try (ChainTraining a = session(peers).build();
             ChainTraining b = session(tmp.resolve("peers-b")).optPeerDiscovery(false).build()) {
            // b serves this run, but its entry (as a session of a same-named run elsewhere would) names another account
            writeEntry(peers.resolve("discover"), "other-chain", b.resultsUrl().orElseThrow().toString(),
                    ProcessHandle.current().pid(), "11111111111111111111111111111111");
            Thread.sleep(500); // several refreshes
            assertEquals(java.util.List.of(), a.peers());
        }
    }
}
