package psyche.kernel;
import org.junit.jupiter.api.Test;
import jdk.jshell.*;
class ScratchDocTest {
    @Test void dbg() {
        try (JShell js = JShell.builder().executionEngine("local").build()) {
            js.addToClasspath(System.getProperty("java.class.path"));
            js.addToClasspath(new java.io.File("../lib/src/main/java").getAbsolutePath());
            for (String code : new String[]{"psyche.display.Numbers.lr", "psyche.display.Numbers.lr(", "Math.max("}) {
                for (var d : js.sourceCodeAnalysis().documentation(code, code.length(), true))
                    System.err.println("DOC[" + code + "] " + d.signature() + " :: " + d.javadoc());
            }
        }
    }
}
