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
                "ledger /tmp/train-inline123/ledger, owner 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU at 2026-12-07T02:10:11Z",
                "rpc http://127.0.0.1:46419, 4 clients");
        var b = executed("loss 3.2100 at step 5\nthroughput 987 tokens/s (timing)",
                "ledger /tmp/train-inline999/ledger, owner 9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM at 2026-12-07T03:00:00Z",
                "rpc http://127.0.0.1:37029, 4 clients");
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
    void imagesInlinedInHtml_markedTiming_areLeftOut_butTheTextBesideThemIsNot() {
        var a = executed("loss 6.9185<img alt=\"tokens per second (timing)\" src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAyAAAAEsCAIAAAC0T0BtAABXZklEQVR4Xu3dB3g=\"/>");
        var b = executed("loss 6.9185<img alt=\"tokens per second (timing)\" src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAyAAAAEsCAIAAAC0T0BtAABfjUlEQVR4XuydB5j+\"/>");
        assertEquals(List.of(), ReproducibilityCheck.compare(a, b));
        var c = executed("loss 6.9186<img alt=\"tokens per second (timing)\" src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAyAAAAEsCAIAAAC0T0BtAABXZklEQVR4Xu3dB3g=\"/>");
        assertEquals(1, ReproducibilityCheck.compare(a, c).size());
    }

    @Test
    void imagesInlinedInHtml_notMarkedTiming_areComparedByTheirPixels() {
        String same = png(chart(1, 2, 3)), sameAgain = png(chart(1, 2, 3)), other = png(chart(1, 2, 4));
        var a = executed("<div>loss<img alt=\"loss\" src=\"data:image/png;base64," + same + "\"/></div>");
        var b = executed("<div>loss<img alt=\"loss\" src=\"data:image/png;base64," + sameAgain + "\"/></div>");
        assertEquals(List.of(), ReproducibilityCheck.compare(a, b));
        var c = executed("<div>loss<img alt=\"loss\" src=\"data:image/png;base64," + other + "\"/></div>");
        var d = ReproducibilityCheck.compare(a, c);
        assertEquals(1, d.size());
        assertEquals("cell [1]", d.get(0).cell());
        assertTrue(d.get(0).first().contains("image/png 800×420 pixels"), d.get(0).first());
    }

    /** A notebook whose only output is a chart, as the kernel renders an XChart: image/png plus a text line. */
    static ObjectNode chartNotebook(String pngBase64) {
        ObjectNode nb = NotebookJson.MAPPER.createObjectNode();
        ObjectNode c = NotebookJson.codeCell("RunCharts.clientHealth(history)", "t");
        c.put("execution_count", 7);
        ObjectNode o = c.withArray("outputs").addObject();
        o.put("output_type", "display_data");
        o.with("data").put("image/png", pngBase64);
        o.with("data").put("text/plain", "chart \"loss\" (800×420, series: loss)");
        nb.putArray("cells").add(c);
        return nb;
    }

    @Test
    void pngOutputs_sameChartRenderedTwice_areEqual_aChangedPointIsNamed() {
        // XChart renders identical data to identical pixels: the check can compare charts
        assertEquals(List.of(), ReproducibilityCheck.compare(chartNotebook(png(chart(5, 3, 2))), chartNotebook(png(chart(5, 3, 2)))));
        var d = ReproducibilityCheck.compare(chartNotebook(png(chart(5, 3, 2))), chartNotebook(png(chart(5, 3, 2.01))));
        assertEquals(1, d.size());
        assertEquals("cell [7]", d.get(0).cell());
        assertTrue(d.get(0).toString().contains("RunCharts.clientHealth(history)"), d.get(0).toString());
    }

    @Test
    void pngOutputs_samePixelsEncodedDifferently_areEqual() throws Exception {
        byte[] original = java.util.Base64.getDecoder().decode(png(chart(1, 2, 3)));
        var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(original));
        var reencoded = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", reencoded);
        // a different encoding of the same pixels (with a text chunk the original lacks)
        byte[] withText = withTextChunk(reencoded.toByteArray());
        assertTrue(!java.util.Arrays.equals(original, withText));
        assertEquals(List.of(), ReproducibilityCheck.compare(chartNotebook(java.util.Base64.getEncoder().encodeToString(original)),
                chartNotebook(java.util.Base64.getEncoder().encodeToString(withText))));
    }

    @Test
    void svgOutputs_differingOnlyInGeneratedIds_areEqual_differentShapesAreNot() {
        ObjectNode a = chartNotebook(png(chart(1, 2, 3))), b = chartNotebook(png(chart(1, 2, 3))), c = chartNotebook(png(chart(1, 2, 3)));
        ((ObjectNode) NotebookJson.cells(a).get(0).withArray("outputs").get(0)).with("data")
                .put("image/svg+xml", "<svg><defs><clipPath id=\"clip1\"/></defs><path clip-path=\"url(#clip1)\" d=\"M0 0L10 10\"/></svg>");
        ((ObjectNode) NotebookJson.cells(b).get(0).withArray("outputs").get(0)).with("data")
                .put("image/svg+xml", "<svg><defs><clipPath id=\"clip97\"/></defs><path clip-path=\"url(#clip97)\" d=\"M0 0L10 10\"/></svg>");
        ((ObjectNode) NotebookJson.cells(c).get(0).withArray("outputs").get(0)).with("data")
                .put("image/svg+xml", "<svg><defs><clipPath id=\"clip1\"/></defs><path clip-path=\"url(#clip1)\" d=\"M0 0L10 11\"/></svg>");
        assertEquals(List.of(), ReproducibilityCheck.compare(a, b));
        assertEquals(1, ReproducibilityCheck.compare(a, c).size());
    }

    static org.knowm.xchart.XYChart chart(double... ys) {
        double[] xs = new double[ys.length];
        for (int i = 0; i < xs.length; i++) xs[i] = i + 1;
        var chart = new org.knowm.xchart.XYChartBuilder().width(800).height(420).title("loss").xAxisTitle("step").yAxisTitle("loss").build();
        chart.addSeries("loss", xs, ys);
        return chart;
    }

    static String png(org.knowm.xchart.XYChart chart) {
        return java.util.Base64.getEncoder().encodeToString(psyche.charts.Charts.png(chart));
    }

    /** {@code png} with a tEXt chunk inserted after IHDR (ancillary: decoders ignore it). */
    static byte[] withTextChunk(byte[] png) {
        byte[] payload = "Comment\0rendered again".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        var crc = new java.util.zip.CRC32();
        crc.update("tEXt".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(payload);
        var chunk = java.nio.ByteBuffer.allocate(12 + payload.length);
        chunk.putInt(payload.length).put("tEXt".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(payload).putInt((int) crc.getValue());
        int afterIhdr = 8 + 8 + 13 + 4;
        var out = new java.io.ByteArrayOutputStream();
        out.write(png, 0, afterIhdr);
        out.writeBytes(chunk.array());
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
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
