package psyche.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupImports_AvailableTest {
    @Test
    void packagesOnTheClassPathAreImported() {
        List<String> imports = StartupImports.available(System.getProperty("java.class.path"));
        assertTrue(imports.contains("import psyche.config.*;"), imports.toString());
        assertTrue(imports.contains("import tech.tablesaw.api.*;"), imports.toString());
        assertTrue(imports.contains("import org.knowm.xchart.*;"), imports.toString());
        assertTrue(imports.contains("import static psyche.kernel.Notebook.*;"), imports.toString());
    }

    @Test
    void packagesWithoutClassesAreLeftOut() {
        List<String> imports = StartupImports.available("");
        assertFalse(imports.contains("import psyche.config.*;"), imports.toString());
        assertTrue(imports.contains("import java.util.*;"), imports.toString());
    }
}
