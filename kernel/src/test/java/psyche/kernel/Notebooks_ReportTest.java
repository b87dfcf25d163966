package psyche.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code bin/psyche-notebook} as a user runs it (with this build's kernel): parameters, provenance, a failing
 * notebook's report, the re-run check and the comparison. Fixtures: {@code src/test/resources/reports/}.
 */
class Notebooks_ReportTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path WORK = Path.of("target", "report-test").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path jupyterPath;

    record Result(int exit, String stdout, String stderr) {
        @Override public String toString() { return "exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr; }
    }

    @BeforeAll
    static void setUp() throws Exception {
        Notebooks_ExecuteTest.requireJupyter();
        jupyterPath = Notebooks_ExecuteTest.installTestKernelspec();
        Path nbs = WORK.resolve("nb");
        Files.createDirectories(nbs);
        for (String n : List.of("parameterized", "failing", "nondeterministic", "nondeterministic-chart")) {
            try (var in = Notebooks_ReportTest.class.getResourceAsStream("/reports/" + n + ".ipynb")) {
                Files.copy(in, nbs.resolve(n + ".ipynb"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(ROOT.resolve("notebooks/configs/tiny.toml"), nbs.resolve("tiny.toml"), StandardCopyOption.REPLACE_EXISTING);
    }

    static Result psycheNotebook(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/psyche-notebook").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(WORK, "out", ".txt");
        Path err = Files.createTempFile(WORK, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(WORK.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JUPYTER_PATH", jupyterPath.toString());
        pb.environment().put("PSYCHE_NOTEBOOK_KERNEL", Notebooks_ExecuteTest.KERNEL);
        pb.environment().put("PSYCHE_NOTEBOOK_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("bin/psyche-notebook " + String.join(" ", args) + " did not finish within 10 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static String sha256sum(Path file) throws Exception {
        Process p = new ProcessBuilder("sha256sum", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out.split("\\s+")[0];
    }

    static String outputsOf(JsonNode nb) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : nb.get("cells")) {
            for (JsonNode o : c.path("outputs")) {
                JsonNode t = o.has("text") ? o.get("text") : o.path("data").path("text/plain");
                if (t.isArray()) t.forEach(x -> sb.append(x.asText()));
                else sb.append(t.asText());
                if (o.path("output_type").asText().equals("error")) sb.append(o.path("ename").asText()).append(": ").append(o.path("evalue").asText());
            }
        }
        return sb.toString();
    }

    @Test
    void parameters_injectedTyped_provenanceWithInputHashes_reproducible_andComparable() throws Exception {
        Path params = Files.writeString(WORK.resolve("params.json"), "{\"lr\": 0.25, \"topk\": [2, 16]}");
        Path htmlA = WORK.resolve("runs/a.html");
        Result a = psycheNotebook("--execute", "nb/parameterized.ipynb", "--html", htmlA.toString(),
                "-p", "steps", "7", "-p", "verbose", "true", "--parameters-file", params.toString(), "--check-reproducible");
        assertEquals(0, a.exit(), a::toString);
        assertTrue(a.stdout().contains("reproducible"), a::toString);

        JsonNode executed = JSON.readTree(WORK.resolve("runs/a.ipynb").toFile());
        String outputs = outputsOf(executed);
        assertTrue(outputs.contains("steps=7 Integer"), outputs);
        assertTrue(outputs.contains("lr=0.25 verbose=true topk=[2, 16] Integer"), outputs);
        assertTrue(outputs.contains("total_steps=200"), outputs);
        // the injected cell sits right after the parameters cell; the provenance card comes first
        JsonNode cells = executed.get("cells");
        assertTrue(cells.get(0).path("metadata").path("tags").toString().contains("provenance"), cells.get(0).toString());
        assertTrue(cells.get(2).path("metadata").path("tags").toString().contains("parameters"));
        assertTrue(cells.get(3).path("metadata").path("tags").toString().contains("injected-parameters"));

        Path provFile = WORK.resolve("runs/a.provenance.json");
        JsonNode prov = JSON.readTree(provFile.toFile());
        assertEquals(prov, executed.path("metadata").path("psyche").path("provenance"));
        assertEquals("ok", prov.get("status").asText());
        assertEquals(7, prov.path("parameters").path("steps").asInt());
        assertEquals(0.25, prov.path("parameters").path("lr").asDouble());
        assertEquals("[2,16]", prov.path("parameters").path("topk").toString());
        JsonNode input = prov.path("inputs").get(0);
        assertEquals("config", input.path("kind").asText());
        Path tiny = WORK.resolve("nb/tiny.toml");
        assertEquals(ROOT.relativize(tiny).toString(), input.path("path").asText(), "inputs inside the project are named relative to its root");
        assertEquals(sha256sum(tiny), input.path("sha256").asText());
        assertTrue(prov.path("gitCommit").asText().matches("[0-9a-f]{40}"), prov.toString());
        assertTrue(prov.path("versions").has("XChart") && prov.path("versions").has("DJL"), prov.toString());
        assertEquals(10.0 / 7, prov.path("metrics").path("final loss").asDouble(), 1e-12);
        String html = Files.readString(htmlA);
        assertTrue(html.contains("Provenance") && html.contains(sha256sum(tiny)), "the HTML report opens with the provenance card");

        // a second run with another setting, then both side by side
        Result b = psycheNotebook("--execute", "nb/parameterized.ipynb", "--html", WORK.resolve("runs/b.html").toString(), "-p", "steps", "4");
        assertEquals(0, b.exit(), b::toString);
        Result cmp = psycheNotebook("--compare", "runs/a.provenance.json", "runs/b.html", "--html", WORK.resolve("runs/ab.html").toString());
        assertEquals(0, cmp.exit(), cmp::toString);
        String page = Files.readString(WORK.resolve("runs/ab.html"));
        assertTrue(page.contains(">a</th>") && page.contains(">b</th>"), "both runs are columns");
        assertTrue(page.matches("(?s).*<tr class=\"differs\"[^>]*><th[^>]*>parameter steps</th><td[^>]*><code>7</code></td><td[^>]*><code>4</code>.*"),
                "the differing parameter is highlighted");
        assertTrue(page.contains("<th style=\"text-align:left\">final loss</th><td style=\"text-align:right\">1.429</td><td style=\"text-align:right\">2.5</td>"), "metrics table");
        assertTrue(page.contains("data:image/png;base64,"), "overlay chart of the loss series");
    }

    @Test
    void unknownOrMistypedParameter_clearErrorBeforeAnythingRuns() throws Exception {
        Path html = WORK.resolve("bad/x.html");
        Result unknown = psycheNotebook("--execute", "nb/parameterized.ipynb", "--html", html.toString(), "-p", "step", "7");
        assertEquals(2, unknown.exit(), unknown::toString);
        assertTrue(unknown.stderr().contains("unknown parameter 'step' (did you mean 'steps'?)"), unknown::toString);
        Result bad = psycheNotebook("--execute", "nb/parameterized.ipynb", "--html", html.toString(), "-p", "steps", "seven");
        assertEquals(2, bad.exit(), bad::toString);
        assertTrue(bad.stderr().contains("parameter 'steps' is int (default 3): got \"seven\""), bad::toString);
        assertFalse(Files.exists(WORK.resolve("bad/x.ipynb")), "nothing ran, so no executed notebook");
    }

    @Test
    void failingNotebook_stillWritesNotebookAndHtml_withTheKernelsError_andExitsNonZero() throws Exception {
        Path html = WORK.resolve("fail/failing.html");
        Result r = psycheNotebook("--execute", "nb/failing.ipynb", "--html", html.toString());
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.stderr().contains("config file not found: no-such-config.toml"), r::toString);
        assertFalse(r.stderr().contains("Traceback (most recent call last)"), "no Python traceback: " + r);
        assertFalse(r.stderr().contains("nbclient"), "no Jupyter-internal frames: " + r);
        JsonNode executed = JSON.readTree(WORK.resolve("fail/failing.ipynb").toFile());
        String outputs = outputsOf(executed);
        assertTrue(outputs.contains("before the failure: 42"), outputs);
        assertFalse(outputs.contains("this cell must not run"), outputs);
        String page = Files.readString(html);
        assertTrue(page.contains("config file not found: no-such-config.toml"), "the HTML shows the failing cell's error");
        assertTrue(page.contains("failed in cell [2]"), "the provenance card says the run failed");
        JsonNode prov = JSON.readTree(WORK.resolve("fail/failing.provenance.json").toFile());
        assertTrue(prov.get("status").asText().startsWith("failed in cell [2]: psyche.config.ConfigException: config file not found: no-such-config.toml"),
                prov.toString());
    }

    @Test
    void checkReproducible_failsNamingTheNondeterministicCell() throws Exception {
        Result r = psycheNotebook("--execute", "nb/nondeterministic.ipynb", "--html", WORK.resolve("nd/nd.html").toString(), "--check-reproducible");
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.stderr().contains("NOT reproducible: 1 cell(s)"), r::toString);
        assertTrue(r.stderr().contains("cell [2] (System.out.println(\"a fresh random number: \""), r::toString);
        assertFalse(r.stderr().contains("cell [1]"), r::toString);
    }

    @Test
    void checkReproducible_comparesChartsByPixels_failsNamingTheCellWithANondeterministicChart() throws Exception {
        Result r = psycheNotebook("--execute", "nb/nondeterministic-chart.ipynb", "--html", WORK.resolve("ndc/ndc.html").toString(),
                "--check-reproducible");
        assertEquals(3, r.exit(), r::toString);
        // the same chart drawn by two kernels compares equal; the random one differs only in its pixels (its text
        // line, title and series are the same); the random chart in the cell tagged timing is left out
        assertTrue(r.stderr().contains("NOT reproducible: 1 cell(s)"), r::toString);
        assertTrue(r.stderr().contains("cell [2] (var rnd = new java.util.Random();)"), r::toString);
        assertTrue(r.stderr().contains("image/png 800×420 pixels"), r::toString);
        assertFalse(r.stderr().contains("cell [1]"), r::toString);
        assertFalse(r.stderr().contains("cell [3]"), r::toString);
    }

}
