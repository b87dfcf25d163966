package psyche.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import psyche.train.TrainingException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte-level BPE tokenizer: ids 0..255 are raw bytes, id {@code 256 + i} is merge {@code i}. Text is first cut
 * GPT-2 style into words (letters, digits or punctuation with an optional leading space, whitespace runs), merges
 * never cross a word boundary, and decoding is exact for any input.
 */
public final class BpeTokenizer {
    private static final Pattern WORDS =
            Pattern.compile(" ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int[][] merges; // merges[i] = {left, right}
    private final Map<Long, Integer> rank = new HashMap<>();
    private final byte[][] pieces;
    private final Map<String, int[]> cache = new HashMap<>();

    public BpeTokenizer(int[][] merges) {
        this.merges = merges.clone();
        pieces = new byte[256 + merges.length][];
        for (int b = 0; b < 256; b++) pieces[b] = new byte[] {(byte) b};
        for (int i = 0; i < merges.length; i++) {
            rank.put(key(merges[i][0], merges[i][1]), i);
            byte[] l = pieces[merges[i][0]], r = pieces[merges[i][1]];
            byte[] joined = Arrays.copyOf(l, l.length + r.length);
            System.arraycopy(r, 0, joined, l.length, r.length);
            pieces[256 + i] = joined;
        }
    }

    public int vocabSize() { return 256 + merges.length; }

    private static long key(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    /** Learns {@code vocabSize - 256} merges from {@code text}, most frequent pair first (ties: smallest pair). */
    public static BpeTokenizer train(String text, int vocabSize) {
        if (vocabSize < 256 || vocabSize > 65536) {
            throw new TrainingException("vocab size must be in [256, 65536] to fit u16 tokens, got " + vocabSize);
        }
        Map<String, Integer> wordCounts = new HashMap<>();
        Matcher m = WORDS.matcher(text);
        while (m.find()) wordCounts.merge(m.group(), 1, Integer::sum);
        List<int[]> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (var e : wordCounts.entrySet()) {
            byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
            words.add(ids);
            counts.add(e.getValue());
        }
        List<int[]> merges = new ArrayList<>();
        for (int next = 256; next < vocabSize; next++) {
            Map<Long, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] ids = words.get(w);
                long c = counts.get(w);
                for (int i = 0; i + 1 < ids.length; i++) pairs.merge(key(ids[i], ids[i + 1]), c, Long::sum);
            }
            long best = -1, bestCount = 0;
            for (var e : pairs.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < best)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (bestCount < 2) break; // nothing left worth merging
            int a = (int) (best >>> 32), b = (int) best;
            merges.add(new int[] {a, b});
            for (int w = 0; w < words.size(); w++) words.set(w, mergePair(words.get(w), a, b, next));
        }
        return new BpeTokenizer(merges.toArray(new int[0][]));
    }

    private static int[] mergePair(int[] ids, int a, int b, int to) {
        int n = 0;
        int[] out = null;
        for (int i = 0; i < ids.length; i++) {
            if (i + 1 < ids.length && ids[i] == a && ids[i + 1] == b) {
                if (out == null) out = Arrays.copyOf(ids, ids.length);
                out[n++] = to;
                i++;
            } else if (out != null) {
                out[n++] = ids[i];
            } else {
                n++;
            }
        }
        return out == null ? ids : Arrays.copyOf(out, n);
    }

    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int total = 0;
        Matcher m = WORDS.matcher(text);
        while (m.find()) {
            int[] ids = cache.computeIfAbsent(m.group(), this::encodeWord);
            parts.add(ids);
            total += ids.length;
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private int[] encodeWord(String word) {
        byte[] b = word.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
        while (ids.length > 1) {
            int bestRank = Integer.MAX_VALUE, at = -1;
            for (int i = 0; i + 1 < ids.length; i++) {
                Integer r = rank.get(key(ids[i], ids[i + 1]));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    at = i;
                }
            }
            if (at < 0) break;
            ids = mergePair(ids, merges[bestRank][0], merges[bestRank][1], 256 + bestRank);
        }
        return ids;
    }

    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= pieces.length) {
                throw new TrainingException("token id " + id + " is outside this tokenizer's vocabulary of " + pieces.length);
            }
            out.writeBytes(pieces[id]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public void save(Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "byte-level-bpe");
        m.put("vocab_size", vocabSize());
        m.put("pretokenizer", WORDS.pattern());
        m.put("merges", merges);
        try {
            Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        } catch (IOException e) {
            throw new TrainingException("cannot write tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    public static BpeTokenizer load(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            psyche.reports.ProvenanceLog.input("tokenizer", file);
            JsonNode ms = n.get("merges");
            if (ms == null) throw new TrainingException(file + " is not a byte-level BPE tokenizer (no merges)");
            int[][] merges = new int[ms.size()][];
            for (int i = 0; i < merges.length; i++) merges[i] = new int[] {ms.get(i).get(0).asInt(), ms.get(i).get(1).asInt()};
            return new BpeTokenizer(merges);
        } catch (IOException e) {
            throw new TrainingException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
        }
    }
}
