package psyche.kernel;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the real kernel process over ZeroMQ, one request type per test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PsycheKernel_ProtocolTest {
    private static final Duration T = Duration.ofSeconds(60);
    private KernelClient kernel;

    @BeforeAll
    void start() throws Exception {
        kernel = KernelClient.start(Path.of("target", "protocol-test"));
    }

    @AfterAll
    void stop() throws Exception {
        if (kernel != null) kernel.close();
    }

    private static String text(JsonObject data) {
        return data.get("text/plain").getAsString();
    }

    @Test
    void execute_lastExpressionIsTheResult() {
        KernelClient.Execution e = kernel.execute("int a = 20;\nint b = 22;\na + b", T);
        assertEquals("ok", e.status());
        assertEquals("42", text(e.result()));
    }

    @Test
    void execute_declarationsOnlyGiveNoResult() {
        KernelClient.Execution e = kernel.execute("import java.util.*;\nvoid hello() { }\nclass Foo { }", T);
        assertEquals("ok", e.status());
        assertEquals(null, e.result());
    }

    @Test
    void execute_preloadedVocabulary() {
        KernelClient.Execution e = kernel.execute(
                "var s = new LrSchedule.Constant(0.001, 0.0, 10);\nTable t = Table.create(\"x\");\ns.lr(20)", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        assertEquals("0.001", text(e.result()));
    }

    @Test
    void stdout_isStreamedAsItIsProduced() {
        KernelClient.Execution e = kernel.execute(
                "System.out.println(\"first\");\nSystem.err.println(\"oops\");\nfor (int i = 0; i < 3; i++) System.out.println(i);", T);
        assertEquals("ok", e.status());
        assertEquals("first\n0\n1\n2\n", e.stdout());
        assertEquals("oops\n", e.stderr());
    }

    @Test
    void stdout_arrivesWhileTheCellIsStillRunning() throws Exception {
        // the cell waits for a file the test creates only after it has seen the first line on IOPub:
        // buffered output would never arrive and the test would fail
        java.nio.file.Path flag = java.nio.file.Files.createTempFile("psyche-kernel", ".flag");
        java.nio.file.Files.delete(flag);
        String id = kernel.submit("System.out.println(\"started\");\n"
                + "for (int i = 0; i < 1500 && !java.nio.file.Files.exists(java.nio.file.Path.of(\"" + flag + "\")); i++) Thread.sleep(20);\n"
                + "System.out.println(java.nio.file.Files.exists(java.nio.file.Path.of(\"" + flag + "\")) ? \"released\" : \"timed out\");");
        boolean seen = false;
        for (int i = 0; i < 300 && !seen; i++) {
            KernelClient.Msg m = kernel.receiveIopub(Duration.ofMillis(100));
            seen = m != null && m.parentId().equals(id) && m.type().equals("stream")
                    && m.content().get("text").getAsString().contains("started");
        }
        java.nio.file.Files.createFile(flag);
        KernelClient.Execution e = kernel.collect(id, T);
        java.nio.file.Files.deleteIfExists(flag);
        assertTrue(seen, "no output while the cell was running");
        assertTrue(e.stdout().contains("released"), e.stdout());
    }

    @Test
    void compileError_pointsAtLineAndColumnInTheCell() {
        KernelClient.Execution e = kernel.execute("int ok = 1;\nint bad = \"text\";", T);
        assertEquals("error", e.status());
        KernelClient.Msg error = e.error();
        assertNotNull(error);
        assertEquals("CompileError", error.content().get("ename").getAsString());
        String traceback = error.content().get("traceback").toString();
        assertTrue(traceback.contains("line 2, column 11"), traceback);
        assertTrue(traceback.contains("incompatible types"), traceback);
    }

    @Test
    void runtimeException_showsExceptionAndTrimmedStack() {
        KernelClient.Execution e = kernel.execute(
                "void fail(int x) {\n  throw new IllegalStateException(\"boom \" + x);\n}\nint y = 1;\nfail(y);", T);
        assertEquals("error", e.status());
        JsonObject content = e.error().content();
        assertEquals("EvalError", content.get("ename").getAsString());
        assertTrue(content.get("evalue").getAsString().contains("java.lang.IllegalStateException: boom 1"));
        String traceback = content.get("traceback").toString();
        assertTrue(traceback.contains("fail (cell ["), traceback);
        assertTrue(traceback.contains("line 2)"), traceback);
        assertFalse(traceback.contains("jdk.jshell"), traceback);
        assertFalse(traceback.contains("reflect"), traceback);
    }

    @Test
    void stackOverflow_isReportedTrimmedAndTheKernelSurvives() {
        KernelClient.Execution e = kernel.execute("int depth(int n) { return depth(n + 1) + 1; }\ndepth(0)", T);
        assertEquals("error", e.status());
        JsonObject content = e.error().content();
        assertTrue(content.get("evalue").getAsString().startsWith("java.lang.StackOverflowError"), content.toString());
        int lines = content.getAsJsonArray("traceback").size();
        assertTrue(lines <= EvalError.MAX_FRAMES + 2, "traceback has " + lines + " lines");
        assertEquals("2", text(kernel.execute("1 + 1", T).result()));
    }

    @Test
    void complete_suggestsMembers() {
        kernel.execute("String greeting = \"hi\";", T);
        JsonObject content = new JsonObject();
        String code = "int n = 1;\ngreeting.toUpp";
        content.addProperty("code", code);
        content.addProperty("cursor_pos", code.length());
        JsonObject reply = kernel.request("complete_request", content, T);
        assertEquals("ok", reply.get("status").getAsString());
        assertTrue(reply.get("matches").toString().contains("toUpperCase("), reply.toString());
        assertEquals(code.length() - "toUpp".length(), reply.get("cursor_start").getAsInt());
    }

    @Test
    void isComplete_distinguishesCompleteIncompleteInvalid() {
        assertEquals("complete", isComplete("int x = 1;"));
        assertEquals("incomplete", isComplete("for (int i = 0; i < 3; i++) {"));
        assertEquals("invalid", isComplete("int x = ;)"));
    }

    private String isComplete(String code) {
        JsonObject content = new JsonObject();
        content.addProperty("code", code);
        return kernel.request("is_complete_request", content, T).get("status").getAsString();
    }

    @Test
    void inspect_showsSignatureOfTheNameUnderTheCursor() {
        JsonObject content = new JsonObject();
        String code = "Math.max(1, 2)";
        content.addProperty("code", code);
        content.addProperty("cursor_pos", "Math.ma".length());
        content.addProperty("detail_level", 0);
        JsonObject reply = kernel.request("inspect_request", content, T);
        assertTrue(reply.get("found").getAsBoolean(), reply.toString());
        assertTrue(reply.getAsJsonObject("data").get("text/plain").getAsString().contains("max(int a, int b)"), reply.toString());
    }

    @Test
    void inspect_showsTheTypeOfAVariable() {
        kernel.execute("double rate = 0.5;", T);
        JsonObject content = new JsonObject();
        content.addProperty("code", "rate * 2");
        content.addProperty("cursor_pos", 2);
        content.addProperty("detail_level", 0);
        JsonObject reply = kernel.request("inspect_request", content, T);
        assertTrue(reply.get("found").getAsBoolean(), reply.toString());
        assertEquals("rate:double", reply.getAsJsonObject("data").get("text/plain").getAsString());
    }

    @Test
    void display_returnsAnIdAndUpdateDisplayRewritesIt() {
        KernelClient.Execution e = kernel.execute(
                "String id = display(\"step 0\");\nupdateDisplay(id, \"step 1\");\nid", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        List<KernelClient.Msg> shown = e.ofType("display_data");
        List<KernelClient.Msg> updated = e.ofType("update_display_data");
        assertEquals(1, shown.size());
        assertEquals(1, updated.size());
        String id = shown.get(0).content().getAsJsonObject("transient").get("display_id").getAsString();
        assertEquals(id, updated.get(0).content().getAsJsonObject("transient").get("display_id").getAsString());
        assertEquals("step 1", text(updated.get(0).content().getAsJsonObject("data")));
        assertEquals(id, text(e.result()));
    }

    @Test
    void interrupt_stopsAnInfiniteLoopAndKeepsState() throws Exception {
        kernel.execute("int kept = 7;", T);
        String id = kernel.submit("while (true) { kept = kept + 0; }");
        Thread.sleep(500);
        kernel.interrupt();
        KernelClient.Execution e = kernel.collect(id, Duration.ofSeconds(10));
        assertEquals("error", e.status());
        assertEquals("CellInterrupted", e.error().content().get("ename").getAsString());
        assertEquals("7", text(kernel.execute("kept", T).result()));
    }

    @Test
    void systemExit_isRefusedAndStateKept() {
        kernel.execute("int survivor = 3;", T);
        KernelClient.Execution e = kernel.execute("System.out.println(\"bye\");\nSystem.exit(4);", T);
        assertEquals("error", e.status());
        JsonObject content = e.error().content();
        assertEquals("SystemExit", content.get("ename").getAsString());
        assertTrue(content.get("evalue").getAsString().contains("System.exit(4)"));
        assertTrue(content.get("evalue").getAsString().contains("kept its state"));
        assertTrue(kernel.isAlive());
        assertEquals("3", text(kernel.execute("survivor", T).result()));
    }

    @Test
    void timeMagic_printsWallTimeAndKeepsTheValue() {
        KernelClient.Execution cell = kernel.execute("%%time\nint t = 2;\nt * 21", T);
        assertEquals("42", text(cell.result()));
        assertTrue(cell.stdout().startsWith("Wall time: "), cell.stdout());
        KernelClient.Execution line = kernel.execute("int u = 1;\n%time u + 1", T);
        assertEquals("2", text(line.result()));
        assertTrue(line.stdout().contains("Wall time: "), line.stdout());
    }

    @Test
    void classpathMagic_listsTheClassPath() {
        KernelClient.Execution e = kernel.execute("%classpath", T);
        assertEquals("ok", e.status());
        assertTrue(e.stdout().contains("classes"), e.stdout());
    }

    @Test
    void table_rendersAsBoundedHtmlAndText() {
        KernelClient.Execution e = kernel.execute(
                "Table big = Table.create(\"numbers\", IntColumn.indexColumn(\"n\", 500, 0));\nbig", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        String html = e.result().get("text/html").getAsString();
        assertTrue(html.contains("500 rows"), html);
        assertTrue(html.contains("480 more rows"), html);
        assertEquals(20, html.split("<tr>").length - 3, html); // header row and the elision row besides 20 data rows
        assertTrue(text(e.result()).contains("numbers"));
        KernelClient.Execution fewer = kernel.execute("maxTableRows(5);\nbig", T);
        assertTrue(fewer.result().get("text/html").getAsString().contains("495 more rows"));
        kernel.execute("maxTableRows(20);", T);
    }

    @Test
    void chart_rendersAsPngAndSvgOnRequest() {
        KernelClient.Execution e = kernel.execute(
                "XYChart chart = new XYChartBuilder().width(400).height(300).title(\"t\").build();\n"
                        + "chart.addSeries(\"s\", new double[]{0, 1, 2}, new double[]{1, 4, 9});\nchart", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        byte[] png = java.util.Base64.getDecoder().decode(e.result().get("image/png").getAsString());
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        KernelClient.Execution svg = kernel.execute("display(chart, \"image/svg+xml\");", T);
        assertTrue(svg.ofType("display_data").get(0).content().getAsJsonObject("data").get("image/svg+xml")
                .getAsString().contains("<svg"));
    }

    @Test
    void bufferedImage_rendersAsPng() {
        KernelClient.Execution e = kernel.execute(
                "new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB)", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        assertTrue(e.result().has("image/png"), e.result().toString());
    }

    @Test
    void statusObjects_renderAsCards() {
        KernelClient.Execution e = kernel.execute("CoordinatorState.uninitialized(\"run-1\")", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        String html = e.result().get("text/html").getAsString();
        assertTrue(html.contains("Run run-1") && html.contains("Uninitialized") && html.contains("0 of 0"), html);
        assertTrue(text(e.result()).startsWith("Run run-1 [Uninitialized]"), text(e.result()));
    }

    @Test
    void mavenMagic_resolvesAndAddsToTheClassPath() {
        // jmh-core and its dependencies are in the local repository of this build; not on the kernel's class path
        KernelClient.Execution missing = kernel.execute("org.openjdk.jmh.runner.options.OptionsBuilder.class", T);
        assertEquals("error", missing.status());
        KernelClient.Execution e = kernel.execute(
                "%maven org.openjdk.jmh:jmh-core:1.37\nnew org.openjdk.jmh.runner.options.OptionsBuilder().getClass().getSimpleName()", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        assertTrue(e.stdout().contains("jmh-core-1.37.jar") && e.stdout().contains("jopt-simple"), e.stdout());
        assertEquals("OptionsBuilder", text(e.result()));
    }
}
