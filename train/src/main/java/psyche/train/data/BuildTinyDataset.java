package psyche.train.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Builds {@code datasets/tiny}: normalizes a plain-text corpus, trains the byte-level BPE on it and writes
 * {@code tokenizer.json} (Hugging Face's format, with {@code tokenizer_config.json}), {@code train.bin} and {@code valid.bin} (little-endian u16 tokens, last 5% held out).
 *
 * <p>Usage: {@code BuildTinyDataset INPUT.txt OUTPUT_DIR [VOCAB_SIZE]}.
 */
public final class BuildTinyDataset {
    private BuildTinyDataset() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: BuildTinyDataset INPUT.txt OUTPUT_DIR [VOCAB_SIZE=1024]");
            System.exit(2);
        }
        Path input = Path.of(args[0]), out = Path.of(args[1]);
        int vocab = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        String text = normalize(Files.readString(input));
        Files.createDirectories(out);
        long t0 = System.nanoTime();
        BpeTokenizer trained = BpeTokenizer.train(text, vocab);
        trained.save(out.resolve("tokenizer.json"));
        int[] ids;
        // the corpus is encoded by Hugging Face's tokenizers from the file just written: what any reader of it gets
        try (HfTokenizer tok = HfTokenizer.load(out.resolve("tokenizer.json"))) {
            ids = tok.encode(text);
            if (!tok.decode(ids).equals(text)) throw new IllegalStateException("tokenizer does not round-trip the corpus");
        }
        int split = (int) (ids.length * 0.95);
        write(out.resolve("train.bin"), Arrays.copyOfRange(ids, 0, split));
        write(out.resolve("valid.bin"), Arrays.copyOfRange(ids, split, ids.length));
        System.out.printf("corpus %d chars -> %d tokens (vocab %d, %.2f bytes/token), train %d, valid %d, %.1f s%n",
                text.length(), ids.length, trained.vocabSize(), (double) text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length / ids.length,
                split, ids.length - split, (System.nanoTime() - t0) / 1e9);
    }

    /** Trailing spaces dropped, runs of spaces collapsed, at most one blank line in a row: fewer wasted tokens. */
    static String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int blank = 0;
        for (String line : text.split("\n", -1)) {
            String l = line.strip().replaceAll(" {2,}", " ");
            if (l.isEmpty()) {
                if (++blank > 1) continue;
            } else {
                blank = 0;
            }
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    static void write(Path file, int[] ids) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ids.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) buf.putShort((short) id);
        Files.write(file, buf.array());
    }
}
