package psyche.reports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NotebookParameters_InjectTest {
    static final String DEFAULTS = String.join("\n",
            "// defaults",
            "int steps = 20;",
            "long seed = 42L;",
            "double lr = 4e-4;",
            "float decay = 0.999f;",
            "boolean quantize = true;",
            "String config = \"configs/tiny.toml\";",
            "var topk = List.of(4, 8);",
            "List<String> names = List.of(\"a\", \"b\");",
            "var clients = 2;",
            "var started = java.time.Instant.now();  // not a literal: not a parameter");

    static ObjectNode notebook() {
        ObjectNode nb = NotebookJson.MAPPER.createObjectNode();
        var cells = nb.putArray("cells");
        cells.add(NotebookJson.markdownCell("# title", "x"));
        cells.add(NotebookJson.codeCell(DEFAULTS, NotebookParameters.PARAMETERS_TAG));
        cells.add(NotebookJson.codeCell("System.out.println(steps);", "y"));
        nb.putObject("metadata");
        nb.put("nbformat", 4);
        nb.put("nbformat_minor", 5);
        return nb;
    }

    @Test
    void parse_typesFromDeclarationsAndLiterals() {
        var p = NotebookParameters.parse(DEFAULTS).declared();
        assertEquals(List.of("steps", "seed", "lr", "decay", "quantize", "config", "topk", "names", "clients"), List.copyOf(p.keySet()));
        assertEquals(NotebookParameters.Kind.INT, p.get("steps").kind());
        assertEquals(NotebookParameters.Kind.LONG, p.get("seed").kind());
        assertEquals(NotebookParameters.Kind.DOUBLE, p.get("lr").kind());
        assertEquals(NotebookParameters.Kind.FLOAT, p.get("decay").kind());
        assertEquals(NotebookParameters.Kind.BOOLEAN, p.get("quantize").kind());
        assertEquals(NotebookParameters.Kind.STRING, p.get("config").kind());
        assertEquals(NotebookParameters.Kind.LIST, p.get("topk").kind());
        assertEquals(NotebookParameters.Kind.INT, p.get("topk").elementKind());
        assertEquals(NotebookParameters.Kind.STRING, p.get("names").elementKind());
        assertEquals(List.of(4, 8), p.get("topk").defaultValue());
        assertEquals(4e-4, p.get("lr").defaultValue());
    }

    @Test
    void inject_commandLineValues_typedJavaDeclarationsRightAfterTheParametersCell() {
        ObjectNode nb = notebook();
        Map<String, Object> over = new LinkedHashMap<>();
        over.put("config", "configs/quick \"v2\".toml");
        over.put("steps", "35");
        over.put("lr", "1e-3");
        over.put("quantize", "false");
        over.put("topk", "[2, 16]");
        over.put("seed", "7");
        over.put("decay", "0.5");
        over.put("names", "[x, \"y z\"]");
        Map<String, Object> effective = NotebookParameters.inject(nb, over);
        var cells = NotebookJson.cells(nb);
        assertEquals(4, cells.size());
        ObjectNode injected = (ObjectNode) cells.get(2);
        assertTrue(NotebookJson.hasTag(injected, NotebookParameters.INJECTED_TAG));
        assertEquals(String.join("\n",
                "// Injected parameters (bin/psyche-notebook -p / --parameters-file)",
                "int steps = 35;",
                "long seed = 7L;",
                "double lr = 0.001;",
                "float decay = 0.5f;",
                "boolean quantize = false;",
                "String config = \"configs/quick \\\"v2\\\".toml\";",
                "java.util.List<Integer> topk = java.util.List.of(2, 16);",
                "java.util.List<String> names = java.util.List.of(\"x\", \"y z\");"), NotebookJson.source(injected));
        assertEquals(35, effective.get("steps"));
        assertEquals(2, effective.get("clients"));       // default kept
        assertEquals(35, NotebookJson.psycheMetadata(nb).get("parameters").get("steps").asInt());
        // injecting again replaces the earlier injection
        NotebookParameters.inject(nb, Map.of("steps", "1"));
        assertEquals(4, NotebookJson.cells(nb).size());
        assertTrue(NotebookJson.source((ObjectNode) NotebookJson.cells(nb).get(2)).endsWith("int steps = 1;"));
    }

    @Test
    void inject_stringParameterKeepsTheTextAsGiven() {
        ObjectNode nb = notebook();
        Map<String, Object> e = NotebookParameters.inject(nb, Map.of("config", "007"));
        assertEquals("007", e.get("config"));
    }

    @Test
    void inject_fileValues_typedFromYamlAndJson(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("p.yaml"), "steps: 12\ntopk: [1, 2, 3]\nquantize: false\nlr: 2\n");
        Path json = Files.writeString(dir.resolve("p.json"), "{\"config\": \"x.toml\", \"clients\": 3}");
        ObjectNode nb = notebook();
        Map<String, Object> e = NotebookParameters.inject(nb, NotebookParameters.readFile(yaml));
        assertEquals(12, e.get("steps"));
        assertEquals(List.of(1, 2, 3), e.get("topk"));
        assertEquals(false, e.get("quantize"));
        assertEquals(2.0, e.get("lr"));
        e = NotebookParameters.inject(nb, NotebookParameters.readFile(json));
        assertEquals("x.toml", e.get("config"));
        assertEquals(3, e.get("clients"));
    }

    @Test
    void inject_unknownName_errorNamesItAndTheDeclaredOnes() {
        ReportException e = assertThrows(ReportException.class, () -> NotebookParameters.inject(notebook(), Map.of("step", "3")));
        assertTrue(e.getMessage().contains("unknown parameter 'step' (did you mean 'steps'?)"), e.getMessage());
        assertTrue(e.getMessage().contains("int steps = 20"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was run"), e.getMessage());
    }

    @Test
    void inject_badValues_everyProblemAtOnce() {
        Map<String, Object> over = new LinkedHashMap<>();
        over.put("steps", "many");
        over.put("quantize", "yes please");
        over.put("topk", "[1, x]");
        over.put("clients", "2.5");
        over.put("lr", "fast");
        ReportException e = assertThrows(ReportException.class, () -> NotebookParameters.inject(notebook(), over));
        String m = e.getMessage();
        assertTrue(m.contains("parameter 'steps' is int (default 20): got \"many\", expected a whole number (int)"), m);
        assertTrue(m.contains("parameter 'quantize' is boolean"), m);
        assertTrue(m.contains("parameter 'topk' is List<Integer>"), m);
        assertTrue(m.contains("parameter 'clients' is int (default 2): got 2.5"), m);
        assertTrue(m.contains("parameter 'lr' is double"), m);
    }

    @Test
    void inject_intOutOfRange_isAnError() {
        ReportException e = assertThrows(ReportException.class, () -> NotebookParameters.inject(notebook(), Map.of("steps", "3000000000")));
        assertTrue(e.getMessage().contains("at most 2147483647"), e.getMessage());
    }

    @Test
    void inject_notebookWithoutParametersCell_refusesOverrides() {
        ObjectNode nb = notebook();
        ((ObjectNode) NotebookJson.cells(nb).get(1).get("metadata")).putArray("tags");
        ReportException e = assertThrows(ReportException.class, () -> NotebookParameters.inject(nb, Map.of("steps", "3")));
        assertTrue(e.getMessage().contains("no cell tagged 'parameters'"), e.getMessage());
        assertTrue(NotebookParameters.inject(nb, Map.of()).isEmpty());
    }
}
