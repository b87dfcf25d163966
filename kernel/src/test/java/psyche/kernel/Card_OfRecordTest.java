package psyche.kernel;

import org.junit.jupiter.api.Test;
import psyche.coordinator.Progress;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Card_OfRecordTest {
    @Test
    void rowsFollowTheRecordComponents() {
        Card card = Card.ofRecord("Progress", null, new Progress(2, 140, 9000));
        assertEquals(List.of(new Card.Row("epoch", "2"), new Card.Row("step", "140"),
                new Card.Row("epochStartDataIndex", "9,000")), card.rows());
        assertEquals("Progress\n  epoch                2\n  step                 140\n  epochStartDataIndex  9,000", card.toText());
    }

    @Test
    void html_isEscaped() {
        String html = new Card("<run>", "a&b", List.of(new Card.Row("k", "<v>"))).toHtml();
        assertTrue(html.contains("&lt;run&gt;") && html.contains("a&amp;b") && html.contains("&lt;v&gt;"), html);
        assertTrue(!html.contains("<run>") && !html.contains("<v>"), html);
    }
}
