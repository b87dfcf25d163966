package psyche.train.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import psyche.train.TrainingException;

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
 * Trains a byte-level BPE (ids 0..255 are raw bytes, id {@code 256 + i} is merge {@code i}) and writes it as a Hugging
 * Face {@code tokenizer.json}: GPT-2's byte-to-character table, a {@code Split} pre-tokenizer with {@link #PATTERN}
 * (letters, digits or punctuation with an optional leading space, whitespace runs; Unicode classes, so a no-break
 * space is whitespace as in Hugging Face's regex engine), then {@code ByteLevel}; {@code BPE} model; {@code ByteLevel}
 * decoder. Encoding and decoding go through Hugging Face's own library ({@link HfTokenizer}); this class only learns
 * the merges, for {@code datasets/*&#47;rebuild.sh}.
 */
public final class BpeTokenizer {
    /** The pre-tokenizer's regex, as written into tokenizer.json (Hugging Face's Oniguruma reads it Unicode-aware). */
    public static final String PATTERN = " ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    private static final Pattern WORDS = Pattern.compile(PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int[][] merges; // merges[i] = {left, right}
    private final Map<Long, Integer> rank = new HashMap<>();
    private final byte[][] pieces;

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

    /** GPT-2's byte-to-character table ({@code bytes_to_unicode}): printable bytes map to themselves, the rest above 255. */
    static char[] byteToChar() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) next++;
        }
        return table;
    }

    /** Token {@code id} spelled in byte-level characters (what tokenizer.json's vocab and merges hold). */
    private String spelled(int id, char[] table) {
        StringBuilder sb = new StringBuilder();
        for (byte b : pieces[id]) sb.append(table[b & 0xFF]);
        return sb.toString();
    }

    /** This tokenizer as a Hugging Face {@code tokenizer.json} document (ids unchanged: byte b is id b). */
    public Map<String, Object> toHuggingFace() {
        char[] table = byteToChar();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < vocabSize(); id++) {
            Integer clash = vocab.put(spelled(id, table), id);
            if (clash != null) throw new IllegalStateException("merges " + clash + " and " + id + " spell the same token");
        }
        List<String> mergeList = new ArrayList<>();
        for (int[] m : merges) mergeList.add(spelled(m[0], table) + " " + spelled(m[1], table));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", mergeList);
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("type", "Split");
        split.put("pattern", Map.of("Regex", PATTERN));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", false);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", "1.0");
        m.put("truncation", null);
        m.put("padding", null);
        m.put("added_tokens", List.of());
        m.put("normalizer", null);
        m.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(split, byteLevel)));
        m.put("post_processor", null);
        m.put("decoder", byteLevel);
        m.put("model", model);
        return m;
    }

    /**
     * Writes {@code tokenizer.json} in Hugging Face's format and, beside it, a {@code tokenizer_config.json} naming
     * {@code PreTrainedTokenizerFast}, so {@code AutoTokenizer.from_pretrained(dir)} loads the directory.
     */
    public void save(Path file) {
        try {
            Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toHuggingFace()));
            writeTokenizerConfig(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new TrainingException("cannot write tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code tokenizer_config.json} for a tokenizer without special tokens. */
    public static void writeTokenizerConfig(Path dir) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("clean_up_tokenization_spaces", false);
        Files.write(dir.resolve("tokenizer_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
    }
}
