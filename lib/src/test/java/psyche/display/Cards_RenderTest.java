package psyche.display;

import org.junit.jupiter.api.Test;
import psyche.testing.RunFixtures;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Cards_RenderTest {
    @Test
    void runCardShowsStateStepAndClientsInHtmlAndText() {
        Html card = Cards.run(RunFixtures.training(), Instant.ofEpochSecond(1_057));
        assertTrue(card.text().contains("Training — 7 s of 10 s"), card.text());
        assertTrue(card.text().contains("42 of 200"), card.text());
        assertTrue(card.html().contains("<table"), card.html());
        assertTrue(card.html().contains("Run tiny-run"));
    }

    @Test
    void progressIsClampedAndEscaped() {
        Html p = Cards.progress("<step>", 250, 200);
        assertTrue(p.text().endsWith("100% (250 / 200)"), p.text());
        assertTrue(p.html().contains("&lt;step&gt;"));
        assertEquals("0%", Cards.progress("x", 5, 0).text().split(" ")[2]);
    }
}
