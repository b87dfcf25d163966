package psyche.kernel;

import com.google.gson.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each magic over the real protocol, and magic errors as one clear line. Jars come from this build's ~/.m2. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PsycheKernel_MagicsTest {
    private static final Duration T = Duration.ofSeconds(90);
    private static final Path M2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
    private KernelClient kernel;
    private Path dir;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createDirectories(Path.of("target", "magics-test").toAbsolutePath());
        kernel = KernelClient.start(dir);
        kernel.execute("1", T);
    }

    @AfterAll
    void stop() throws Exception {
        if (kernel != null) kernel.close();
    }

    private static String text(KernelClient.Execution e) {
        return e.result().get("text/plain").getAsString();
    }

    /** A magic error: status error, ename MagicError, a one-line traceback containing {@code expected}. */
    private void oneLineError(KernelClient.Execution e, String expected) {
        assertEquals("error", e.status());
        assertEquals("MagicError", e.error().content().get("ename").getAsString(), e.error().content().toString());
        JsonArray tb = e.error().content().getAsJsonArray("traceback");
        assertEquals(1, tb.size(), tb.toString());
        assertTrue(tb.get(0).getAsString().contains(expected), tb.toString());
        assertFalse(tb.toString().contains("\tat ") || tb.toString().contains("    at "), tb.toString());
    }

    @Test
    void lsmagic_listsLineAndCellMagics() {
        KernelClient.Execution e = kernel.execute("%lsmagic", T);
        assertEquals("ok", e.status());
        for (String m : new String[]{"%classpath", "%jars", "%maven", "%mavenRepo", "%load", "%help", "%time", "%%time", "%%loadFromPOM"}) {
            assertTrue(e.stdout().contains(m), m + " missing from " + e.stdout());
        }
    }

    @Test
    void help_explainsAllOrOne() {
        assertTrue(kernel.execute("%help", T).stdout().contains("%maven GROUP:ARTIFACT:VERSION"));
        assertTrue(kernel.execute("%help %jars", T).stdout().startsWith("%jars GLOB|FOLDER"));
        oneLineError(kernel.execute("%help nosuch", T), "no magic named 'nosuch'");
    }

    @Test
    void unknownMagic_andBadCoordinates_areOneLine() {
        oneLineError(kernel.execute("%frobnicate", T), "unknown magic %frobnicate; %lsmagic lists the magics");
        oneLineError(kernel.execute("%maven not-coordinates", T), "'not-coordinates' is not group:artifact");
        oneLineError(kernel.execute("%maven", T), "usage: %maven");
        oneLineError(kernel.execute("%classpath /no/such/*.jar", T), "matches nothing");
    }

    @Test
    void jars_addsWhatAGlobMatches() throws Exception {
        Path jars = Files.createDirectories(dir.resolve("jars/deep"));
        Files.copy(M2.resolve("net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar"), jars.resolve("jopt.jar"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        KernelClient.Execution e = kernel.execute("%jars " + dir.resolve("jars") + "/**.jar\nnew joptsimple.OptionParser().getClass().getSimpleName()", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        assertTrue(e.stdout().startsWith("added 1 jar(s) to the class path\n  " + dir.resolve("jars/deep/jopt.jar")), e.stdout());
        assertEquals("OptionParser", text(e));
    }

    @Test
    void classpath_acceptsGlobs() throws Exception {
        Path jars = Files.createDirectories(dir.resolve("cp"));
        Files.copy(M2.resolve("org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar"), jars.resolve("math.jar"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        KernelClient.Execution e = kernel.execute("%classpath " + jars + "/*.jar\norg.apache.commons.math3.util.FastMath.abs(-3)", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        assertEquals("3", text(e));
    }

    @Test
    void load_runsAFileAsTheCell() throws Exception {
        Path file = dir.resolve("snippets.jsh");
        Files.writeString(file, "int loaded = 41;\n// a comment\nloaded + 1");
        assertEquals("42", text(kernel.execute("%load " + file, T)));
        oneLineError(kernel.execute("%load " + dir.resolve("missing.jsh"), T), "cannot read");
    }

    @Test
    void mavenRepo_addsARepositoryAndRefusesNonUrls() {
        KernelClient.Execution e = kernel.execute("%mavenRepo mine file://" + dir, T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        assertTrue(e.stdout().contains("Maven repository mine added"), e.stdout());
        oneLineError(kernel.execute("%mavenRepo bad not-a-url", T), "is not an http(s) or file URL");
    }

    @Test
    void loadFromPom_resolvesTheDependencies() {
        KernelClient.Execution e = kernel.execute("%%loadFromPOM\n<properties><jmh.version>1.37</jmh.version></properties>\n"
                + "<dependencies>\n  <dependency><groupId>org.openjdk.jmh</groupId><artifactId>jmh-core</artifactId>"
                + "<version>${jmh.version}</version></dependency>\n"
                + "  <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>\n"
                + "</dependencies>", T);
        assertEquals("ok", e.status(), () -> String.valueOf(e.error()));
        assertTrue(e.stdout().contains("org.openjdk.jmh:jmh-core:1.37: added") && !e.stdout().contains("junit"), e.stdout());
        assertEquals("OptionsBuilder", text(kernel.execute("new org.openjdk.jmh.runner.options.OptionsBuilder().getClass().getSimpleName()", T)));
    }
}
