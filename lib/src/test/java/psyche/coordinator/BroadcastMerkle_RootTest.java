package psyche.coordinator;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The witness merkle root against the golden roots of Solana's merkle-tree crate, which Psyche's is copied from. */
class BroadcastMerkle_RootTest {
    static final String[] TEST = {"my", "very", "eager", "mother", "just", "served", "us", "nine", "pizzas", "make", "prime"};

    static List<byte[]> items(String... words) {
        List<byte[]> out = new ArrayList<>();
        for (String w : words) out.add(w.getBytes(StandardCharsets.UTF_8));
        return out;
    }

    static String hex(byte[] b) { return HexFormat.of().formatHex(b); }

    @Test void noItemsGiveTheZeroRoot() {
        assertArrayEquals(new byte[32], BroadcastMerkle.root(List.of()));
    }

    @Test void oneItemIsItsLeafHash() {
        // solana merkle-tree test_tree_from_one: sha256(0x00 || "test")
        assertEquals("dbebd10e61bc8c28591273feafbbef95d544f874693301d8f7f8e54c6e30058e", hex(BroadcastMerkle.root(items("test"))));
    }

    @Test void elevenItemsMatchTheGoldenRoot() {
        // solana merkle-tree test_tree_from_many (odd levels pair their last node with itself)
        assertEquals("b40c847546fdceea166f927fc46c5ca33c3638236a36275c1346d3dffb84e1bc", hex(BroadcastMerkle.root(items(TEST))));
    }

    @Test void orderMatters() {
        assertFalse(hex(BroadcastMerkle.root(items("a", "b"))).equals(hex(BroadcastMerkle.root(items("b", "a")))));
    }
}
