package psyche.kernel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import psyche.reports.ReproducibilityCheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Executes every notebook in {@code notebooks/} headless (nbconvert, our kernel from this build's class path) and
 * fails if any cell errors. Notebooks must show Tablesaw tables as {@code text/html} and charts as
 * {@code image/png}. Each notebook is executed twice and the two executions must agree under
 * {@code bin/psyche-notebook --check-reproducible}'s rules ({@link ReproducibilityCheck}: timing-tagged values and
 * cells, temporary paths, keys and free ports left out): every report a user re-runs gives the same numbers.
 * Jupyter missing is a failure, not a skip: {@code bin/run-tests} installs it.
 */
class Notebooks_ExecuteTest {
    private static final Path NOTEBOOKS = Path.of("..", "notebooks").toAbsolutePath().normalize();
    private static final Path WORK = Path.of("target", "notebook-test").toAbsolutePath();
    static final String KERNEL = "psyche-test";

    @TestFactory
    Stream<DynamicTest> everyNotebook_executesWithoutErrors() throws Exception {
        requireJupyter();
        Path jupyterPath = installTestKernelspec();
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertFalse(notebooks.isEmpty(), "no notebooks in " + NOTEBOOKS);
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> {
            String name = nb.getFileName().toString();
            JsonObject executed = execute(nb, jupyterPath, name);
            Set<String> mimes = new HashSet<>();
            boolean htmlTable = false;
            for (JsonElement cell : executed.getAsJsonArray("cells")) {
                JsonObject c = cell.getAsJsonObject();
                if (!c.get("cell_type").getAsString().equals("code")) continue;
                for (JsonElement out : c.getAsJsonArray("outputs")) {
                    JsonObject o = out.getAsJsonObject();
                    if (o.get("output_type").getAsString().equals("error")) {
                        fail(nb.getFileName() + ": cell failed: " + o.get("ename") + " " + o.get("evalue")
                                + "\n" + String.join("\n", strings(o.getAsJsonArray("traceback"))) + "\nsource:\n" + source(c));
                    }
                    if (o.has("data")) {
                        JsonObject data = o.getAsJsonObject("data");
                        mimes.addAll(data.keySet());
                        if (data.has("text/html") && source(data.get("text/html")).contains("<table")) htmlTable = true;
                    }
                }
            }
            // every walkthrough shows at least one table and one chart
            assertTrue(htmlTable, nb.getFileName() + ": expected a table rendered as text/html, got outputs " + mimes);
            assertTrue(mimes.contains("image/png"), nb.getFileName() + ": expected a chart rendered as image/png, got outputs " + mimes);

            String rerun = name.replace(".ipynb", ".rerun.ipynb");
            execute(nb, jupyterPath, rerun);
            List<ReproducibilityCheck.Difference> differences =
                    ReproducibilityCheck.compare(WORK.resolve("out").resolve(name), WORK.resolve("out").resolve(rerun));
            assertEquals(List.of(), differences, () -> name + ": a second execution gave other outputs (not reproducible); "
                    + "make the cell deterministic or tag what is inherently timing-dependent (Reports.timing, cell tag \"timing\")");
        }));
    }

    static void requireJupyter() {
        String hint = "Jupyter is required by the notebook tests and is not installed. Run bin/run-tests (it installs it), "
                + "or: apt-get install -y jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-jupyter-client python3-ipykernel";
        try {
            Process p = new ProcessBuilder("jupyter", "nbconvert", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) fail(hint + "\n(jupyter nbconvert --version said: " + out.strip() + ")");
        } catch (IOException e) {
            fail(hint + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while looking for Jupyter");
        }
    }

    /** A kernelspec that starts the kernel from this build's class path, in a private JUPYTER_PATH. */
    static Path installTestKernelspec() throws IOException {
        Path dir = WORK.resolve("jupyter");
        Path spec = dir.resolve("kernels").resolve(KERNEL);
        Files.createDirectories(spec);
        JsonObject json = new JsonObject();
        JsonArray argv = new JsonArray();
        for (String a : List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                PsycheKernel.class.getName(), "{connection_file}")) {
            argv.add(a);
        }
        json.add("argv", argv);
        json.addProperty("display_name", "Java (Psyche) test");
        json.addProperty("language", "java");
        json.addProperty("interrupt_mode", "message");
        Files.writeString(spec.resolve("kernel.json"), json.toString());
        return dir;
    }

    private static JsonObject execute(Path notebook, Path jupyterPath, String name) throws Exception {
        Path outDir = WORK.resolve("out");
        Files.createDirectories(outDir);
        ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.kernel_name=" + KERNEL, "--ExecutePreprocessor.timeout=600",
                "--output-dir", outDir.toString(), "--output", name, notebook.toString())
                .redirectErrorStream(true);
        pb.environment().put("JUPYTER_PATH", jupyterPath.toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(name + ": nbconvert did not finish within 15 minutes");
        }
        assertEquals(0, p.exitValue(), () -> name + ": nbconvert failed:\n" + log);
        return JsonParser.parseString(Files.readString(outDir.resolve(name))).getAsJsonObject();
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>();
        if (array != null) array.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    private static String source(JsonObject cell) {
        return source(cell.get("source"));
    }

    /** nbformat stores multi-line strings either as one string or as a list of lines. */
    private static String source(JsonElement e) {
        return e.isJsonArray() ? String.join("", strings(e.getAsJsonArray())) : e.getAsString();
    }
}
