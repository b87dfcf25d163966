package psyche.train.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import psyche.train.TrainingException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face {@code tokenizer.json} (GPT-2/Llama 3 byte-level BPE, Llama 2's BPE with byte fallback, anything the
 * Rust {@code tokenizers} library reads) through that library itself (DJL's JNI binding, natives inside the jar, no
 * download): ids and text come out exactly as Hugging Face's.
 *
 * <pre>{@code
 * try (HfTokenizer tok = HfTokenizer.load(Path.of("datasets/tiny"))) {   // a directory or the tokenizer.json itself
 *     int[] ids = tok.encode("The Jargon File");
 *     String back = tok.decode(ids);
 * }
 * }</pre>
 */
public final class HfTokenizer implements AutoCloseable {
    public static final String FILE = "tokenizer.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int vocabSize;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Path file, int vocabSize) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.vocabSize = vocabSize;
    }

    /** Loads {@code tokenizer.json} (or a directory holding one, e.g. a checkpoint or a dataset). */
    public static HfTokenizer load(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE) : fileOrDir;
        if (!Files.isRegularFile(file)) {
            throw new TrainingException("no tokenizer at " + file + ": expected a Hugging Face tokenizer.json (a dataset "
                    + "directory such as datasets/tiny, or a checkpoint written by training, has one)");
        }
        int vocab = vocabSize(file);
        psyche.reports.ProvenanceLog.input("tokenizer", file);
        // the native library ships in the tokenizers jar: never fetch anything
        System.setProperty("ai.djl.offline", "true");
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false)
                    .optTruncation(false).optPadding(false).build();
            return new HfTokenizer(t, file, vocab);
        } catch (IOException | RuntimeException e) {
            throw new TrainingException("cannot load tokenizer " + file + " with Hugging Face tokenizers: " + e.getMessage()
                    + " (is it a Hugging Face tokenizer.json? an old datasets/*/tokenizer.json is rebuilt by its rebuild.sh)", e);
        }
    }

    /** Model vocabulary plus added tokens (the largest id + 1), read from the file as {@code len(tokenizer)} counts. */
    public static int vocabSize(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            JsonNode vocab = n.path("model").path("vocab");
            if (!vocab.isObject()) {
                throw new TrainingException(file + " is not a Hugging Face tokenizer.json (no model.vocab); rebuild the "
                        + "dataset with its rebuild.sh or take the tokenizer.json from the model's Hugging Face repository");
            }
            int max = -1;
            for (JsonNode id : vocab) max = Math.max(max, id.asInt());
            for (JsonNode added : n.path("added_tokens")) max = Math.max(max, added.path("id").asInt());
            return max + 1;
        } catch (IOException e) {
            throw new TrainingException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    /** Ids of {@code text} without special tokens (what a pre-tokenized corpus holds). */
    public int[] encode(String text) { return encode(text, false); }

    /** Ids of {@code text}, with the tokenizer's special tokens (BOS/EOS per its post-processor) when asked. */
    public int[] encode(String text, boolean addSpecialTokens) {
        Encoding e = tokenizer.encode(text, addSpecialTokens, false);
        long[] ids = e.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    /** Text of {@code ids}, special tokens included, as Hugging Face's {@code decode(ids, skip_special_tokens=False)}. */
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new TrainingException("token id " + ids[i] + " is outside the vocabulary of " + vocabSize + " of " + file);
            }
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    /** Number of ids (model vocabulary and added tokens). */
    public int vocabSize() { return vocabSize; }

    public Path file() { return file; }

    @Override public String toString() { return "HfTokenizer[" + file + ", vocab " + vocabSize + "]"; }

    @Override public void close() { tokenizer.close(); }
}
