package psyche.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Merges learned here, written as Hugging Face's tokenizer.json, read back by Hugging Face's tokenizers (DJL JNI). */
class BpeTokenizer_RoundTripTest {
    @TempDir Path dir;

    @Test void trainedMergesLoadInHuggingFaceTokenizersAndRoundTrip() {
        String text = "the hacker hacked the hack; the hackers hack. ünïcödé ✓ 123 456\n\n  spaces ".repeat(20);
        BpeTokenizer trained = BpeTokenizer.train(text, 300);
        assertTrue(trained.vocabSize() > 256 && trained.vocabSize() <= 300);
        Path f = dir.resolve("tokenizer.json");
        trained.save(f);
        assertTrue(Files.isRegularFile(dir.resolve("tokenizer_config.json")));
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertEquals(trained.vocabSize(), tok.vocabSize());
            int[] ids = tok.encode(text);
            assertTrue(ids.length < text.length() / 2, "merges compress: " + ids.length + " tokens");
            assertEquals(text, tok.decode(ids));
            assertEquals("never seen: Ωmega", tok.decode(tok.encode("never seen: Ωmega")), "bytes cover anything");
            // byte b is id b (GPT-2's byte-to-character table), the first merge is id 256
            assertArrayEquals(new int[] {0x51}, tok.encode("Q"));
            assertArrayEquals(new int[0], tok.encode(""));
            // a no-break space is whitespace for Hugging Face's regex: each of a run is its own word here
            int[] nbsp = tok.encode("a\u00a0\u00a0b");
            assertEquals("a\u00a0\u00a0b", tok.decode(nbsp));
        }
    }

    @Test void shippedDatasetDecodesWithShippedTokenizer() throws Exception {
        Path tiny = Path.of("../datasets/tiny");
        try (HfTokenizer tok = HfTokenizer.load(tiny)) {
            assertEquals(1024, tok.vocabSize());
            byte[] raw = Files.readAllBytes(tiny.resolve("valid.bin"));
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            int[] ids = new int[200];
            for (int i = 0; i < ids.length; i++) ids[i] = b.getShort() & 0xFFFF;
            String text = tok.decode(ids);
            assertTrue(text.chars().filter(Character::isLetter).count() > 300, text);
            assertEquals(text, tok.decode(tok.encode(text)));
        }
    }
}
