package psyche.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTokenizer_RoundTripTest {
    @TempDir Path dir;

    @Test void trainsMergesThatShortenTextAndDecodeExactly() {
        String text = "the hacker hacked the hack; the hackers hack. ünïcödé ✓ 123 456\n\n  spaces ".repeat(20);
        BpeTokenizer tok = BpeTokenizer.train(text, 300);
        assertTrue(tok.vocabSize() > 256 && tok.vocabSize() <= 300);
        int[] ids = tok.encode(text);
        assertTrue(ids.length < text.length() / 2, "merges compress: " + ids.length + " tokens");
        assertEquals(text, tok.decode(ids));
        assertEquals("never seen: Ωmega", tok.decode(tok.encode("never seen: Ωmega")), "byte fallback covers anything");
        Path f = dir.resolve("tokenizer.json");
        tok.save(f);
        BpeTokenizer back = BpeTokenizer.load(f);
        assertEquals(tok.vocabSize(), back.vocabSize());
        assertEquals(java.util.Arrays.toString(ids), java.util.Arrays.toString(back.encode(text)));
    }

    @Test void shippedDatasetDecodesWithShippedTokenizer() throws Exception {
        Path tiny = Path.of("../datasets/tiny");
        BpeTokenizer tok = BpeTokenizer.load(tiny.resolve("tokenizer.json"));
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
