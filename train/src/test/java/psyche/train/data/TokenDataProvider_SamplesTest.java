package psyche.train.data;

import psyche.coordinator.BatchId;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.config.DataLocation;
import psyche.config.HttpLocation;
import psyche.config.Shuffle;
import psyche.config.TokenSize;
import psyche.train.TrainingException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenDataProvider_SamplesTest {
    @TempDir Path dir;
    HttpServer server;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    final AtomicInteger rangeRequests = new AtomicInteger();

    static byte[] u16(int from, int count) {
        ByteBuffer b = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) b.putShort((short) (from + i));
        return b.array();
    }

    @BeforeEach void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = served.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Length", Long.toString(body.length));
                ex.sendResponseHeaders(200, -1);
                ex.close();
                return;
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            byte[] out = body;
            int status = 200;
            if (range != null) {
                rangeRequests.incrementAndGet();
                String[] se = range.substring("bytes=".length()).split("-");
                int s = Integer.parseInt(se[0]), e = Integer.parseInt(se[1]);
                out = java.util.Arrays.copyOfRange(body, s, e + 1);
                status = 206;
            }
            ex.sendResponseHeaders(status, out.length);
            try (OutputStream os = ex.getResponseBody()) { os.write(out); }
        });
        server.start();
    }

    @AfterEach void stop() { server.stop(0); }

    URI url(String path) { return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path); }

    @Test void pointersFollowPsycheRuleAcrossFiles() throws IOException {
        // 25 tokens with seqLen 4: offsets 0,8,..,40 < 50 - (8 + 2) = 40 -> 0,8,16,24,32 (5 sequences)
        Files.write(dir.resolve("a.bin"), u16(0, 25));
        Files.write(dir.resolve("b.ds"), u16(1000, 9));   // 18 - 10 = 8 -> offset 0 only
        Files.write(dir.resolve("c.bin"), u16(2000, 5));  // 10 - 10 = 0 -> none
        Files.write(dir.resolve("notes.txt"), u16(0, 100)); // ignored extension
        try (TokenDataProvider p = new TokenDataProvider(new LocalTokenSource(dir), TokenSize.TwoBytes, 4, new Shuffle.DontShuffle())) {
            assertEquals(6, p.numSequences());
            assertArrayEquals(new long[] {0, 32}, p.pointer(4));
            assertArrayEquals(new long[] {1, 0}, p.pointer(5));
            int[][] s = p.samples(new BatchId(3, 5));
            assertArrayEquals(new int[] {12, 13, 14, 15, 16}, s[0], "seqLen + 1 tokens: inputs plus shifted target");
            assertArrayEquals(new int[] {16, 17, 18, 19, 20}, s[1]);
            assertArrayEquals(new int[] {1000, 1001, 1002, 1003, 1004}, s[2]);
            assertThrows(TrainingException.class, () -> p.samples(new BatchId(5, 6)));
        }
    }

    @Test void seededShuffleIsAPermutationOfThePointers() throws IOException {
        Files.write(dir.resolve("a.bin"), u16(0, 4001));
        byte[] seed = new byte[32];
        seed[31] = 7;
        try (TokenDataProvider plain = new TokenDataProvider(new LocalTokenSource(dir), TokenSize.TwoBytes, 10, new Shuffle.DontShuffle());
             TokenDataProvider mixed = new TokenDataProvider(new LocalTokenSource(dir), TokenSize.TwoBytes, 10, new Shuffle.Seeded(seed))) {
            assertEquals(plain.numSequences(), mixed.numSequences());
            Set<Long> offsets = new HashSet<>();
            int moved = 0;
            for (long i = 0; i < mixed.numSequences(); i++) {
                offsets.add(mixed.pointer(i)[1]);
                if (mixed.pointer(i)[1] != plain.pointer(i)[1]) moved++;
            }
            assertEquals(plain.numSequences(), offsets.size());
            assertTrue(moved > plain.numSequences() / 2, "most sequences moved: " + moved);
            int[] first = mixed.samples(new BatchId(0, 0))[0];
            assertEquals(mixed.pointer(0)[1] / 2, first[0], "sample starts at its pointer");
        }
    }

    @Test void shortDatasetSaysSo() throws IOException {
        Files.write(dir.resolve("a.bin"), u16(0, 6));
        TrainingException e = assertThrows(TrainingException.class,
                () -> new TokenDataProvider(new LocalTokenSource(dir), TokenSize.TwoBytes, 8, new Shuffle.DontShuffle()));
        assertTrue(e.getMessage().contains("shorter than one sequence"), e.getMessage());
        assertThrows(TrainingException.class, () -> new LocalTokenSource(dir.resolve("missing")));
    }

    @Test void httpSingleUrlServesTheSameSamplesAsLocal() throws IOException {
        byte[] data = u16(0, 300);
        served.put("/tokens.bin", data);
        Files.write(dir.resolve("tokens.bin"), data);
        try (TokenDataProvider http = TokenDataProvider.open(new DataLocation.Http(new HttpLocation.SingleUrl(url("/tokens.bin").toString()),
                TokenSize.TwoBytes, new Shuffle.DontShuffle()), 16);
             TokenDataProvider local = TokenDataProvider.open(new DataLocation.Local(dir.toString()), 16)) {
            assertEquals(local.numSequences(), http.numSequences());
            BatchId b = new BatchId(2, 9);
            int[][] h = http.samples(b), l = local.samples(b);
            for (int i = 0; i < h.length; i++) assertArrayEquals(l[i], h[i]);
            assertEquals(1, rangeRequests.get(), "contiguous sequences come in one Range request");
        }
    }

    @Test void httpNumberedFilesWithShuffleFetchEachSequenceByRange() {
        List<URI> expected = new ArrayList<>();
        for (int i = 3; i < 6; i++) {
            served.put(String.format("/shard-%04d.bin", i), u16(i * 10_000, 200));
            expected.add(url(String.format("/shard-%04d.bin", i)));
        }
        HttpLocation.NumberedFiles loc = new HttpLocation.NumberedFiles("http://127.0.0.1:" + server.getAddress().getPort() + "/shard-{}.bin", 3, 4, 3);
        assertEquals(expected, HttpTokenSource.urls(loc));
        byte[] seed = new byte[32];
        seed[0] = 1;
        try (TokenDataProvider p = TokenDataProvider.open(new DataLocation.Http(loc, TokenSize.TwoBytes, new Shuffle.Seeded(seed)), 32)) {
            assertEquals(3 * 6, p.numSequences()); // per file: 400 - 66 = 334 -> offsets 0,64,..,320 = 6
            int[][] s = p.samples(new BatchId(0, 17));
            Set<Integer> starts = new HashSet<>();
            for (int[] row : s) {
                assertEquals(33, row.length);
                for (int i = 1; i < row.length; i++) assertEquals(row[0] + i, row[i]);
                starts.add(row[0]);
            }
            assertEquals(18, starts.size(), "every sequence served once");
        }
    }

    @Test void httpErrorsAreExplained() {
        TrainingException missing = assertThrows(TrainingException.class, () -> new HttpTokenSource(List.of(url("/nope.bin"))));
        assertTrue(missing.getMessage().contains("404"), missing.getMessage());
        assertThrows(TrainingException.class, () -> HttpTokenSource.urls(new HttpLocation.NumberedFiles("http://x/{}-{}.bin", 0, 0, 1)));
    }
}
