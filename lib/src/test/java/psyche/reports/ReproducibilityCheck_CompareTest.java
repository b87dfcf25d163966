package psyche.reports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReproducibilityCheck_CompareTest {
    static ObjectNode executed(String... printed) {
        ObjectNode nb = NotebookJson.MAPPER.createObjectNode();
        var cells = nb.putArray("cells");
        int n = 1;
        for (String p : printed) {
            ObjectNode c = NotebookJson.codeCell("System.out.println(x" + n + ");", "t");
            c.put("execution_count", n++);
            ObjectNode o = c.withArray("outputs").addObject();
            o.put("output_type", "stream");
            o.put("name", "stdout");
            o.put("text", p);
            cells.add(c);
        }
        return nb;
    }

    @Test
    void sameMetrics_differentTimingsPathsKeysAndTimes_areReproducible() {
        var a = executed("loss 3.2100 at step 5\nthroughput 1,234.5 tokens/s (timing)",
                "ledger /tmp/train-inline123/ledger, owner 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU at 2026-12-07T02:10:11Z");
        var b = executed("loss 3.2100 at step 5\nthroughput 987 tokens/s (timing)",
                "ledger /tmp/train-inline999/ledger, owner 9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM at 2026-12-07T03:00:00Z");
        assertEquals(List.of(), ReproducibilityCheck.compare(a, b));
    }

    @Test
    void transactionSignatures_areMaskedLikeKeys_butTheNumbersAroundThemAreNot() {
        // 88- and 87-character base58 ed25519 signatures, as run-manager prints "Signature: ..."
        var a = executed("Signature: 2AYbaL3rsAtipQLXM7cq94Bmiu5Tt6yCTzs4TDy7i7PTscAvz1typbr78e3rdcR641posdtRSYnn89Wp9ESpVQWE\nclaimed 25 tokens");
        var b = executed("Signature: 4We84SHFQwuMHGaMSaAKh3m1qTxY1KNYDjmPtNYDZa4RJFcSmV4uqQGWTRadd5kvv3hSddJ9FAi4FNMySBF27AJ\nclaimed 25 tokens");
        assertEquals(List.of(), ReproducibilityCheck.compare(a, b));
        var c = executed("Signature: 2AYbaL3rsAtipQLXM7cq94Bmiu5Tt6yCTzs4TDy7i7PTscAvz1typbr78e3rdcR641posdtRSYnn89Wp9ESpVQWE\nclaimed 26 tokens");
        assertEquals(1, ReproducibilityCheck.compare(a, c).size());
    }

    @Test
    void imagesInlinedInHtml_areLeftOut_butTheTextBesideThemIsNot() {
        var a = executed("loss 6.9185<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAyAAAAEsCAIAAAC0T0BtAABXZklEQVR4Xu3dB3g=\"/>");
        var b = executed("loss 6.9185<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAyAAAAEsCAIAAAC0T0BtAABfjUlEQVR4XuydB5j+\"/>");
        assertEquals(List.of(), ReproducibilityCheck.compare(a, b));
        var c = executed("loss 6.9186<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAyAAAAEsCAIAAAC0T0BtAABXZklEQVR4Xu3dB3g=\"/>");
        assertEquals(1, ReproducibilityCheck.compare(a, c).size());
    }

    @Test
    void differentLoss_namesTheCellAndTheLines() {
        var a = executed("same", "loss 3.2100 at step 5");
        var b = executed("same", "loss 3.2107 at step 5");
        var d = ReproducibilityCheck.compare(a, b);
        assertEquals(1, d.size());
        assertEquals("cell [2]", d.get(0).cell());
        assertEquals("loss 3.2100 at step 5", d.get(0).first());
        assertEquals("loss 3.2107 at step 5", d.get(0).second());
        assertTrue(d.get(0).toString().contains("System.out.println(x2);"));
    }

    @Test
    void longLines_areShownFromWhereTheyDiffer() {
        String head = "<table>" + "<td>same</td>".repeat(30);
        var d = ReproducibilityCheck.compare(executed(head + "<td>6.9041</td></table>"), executed(head + "<td>6.9154</td></table>"));
        assertEquals(1, d.size());
        assertTrue(d.get(0).first().startsWith("...") && d.get(0).first().contains("<td>6.9041</td>"), d.get(0).first());
        assertTrue(d.get(0).second().contains("<td>6.9154</td>") && d.get(0).second().length() < 170, d.get(0).second());
    }

    @Test
    void cellTaggedTiming_isLeftOut() {
        var a = executed("took 12 s");
        var b = executed("took 13 s");
        assertEquals(1, ReproducibilityCheck.compare(a, b).size());
        NotebookJson.cells(a).get(0).withObject("/metadata").withArray("tags").add(ReproducibilityCheck.TIMING_TAG);
        assertEquals(List.of(), ReproducibilityCheck.compare(a, b));
    }
}
