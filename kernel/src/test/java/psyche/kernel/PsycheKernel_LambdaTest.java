package psyche.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lambdas over values the library returns (the pause-update-resume notebook's
 * {@code updated.warnings().forEach(w -> System.out.println(w))}) run, and the kernel answers the next cell.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PsycheKernel_LambdaTest {
    private static final Duration T = Duration.ofSeconds(60);
    private KernelClient kernel;

    @BeforeAll
    void start() throws Exception {
        kernel = KernelClient.start(Path.of("target", "lambda-test"));
    }

    @AfterAll
    void stop() throws Exception {
        if (kernel != null) kernel.close();
    }

    @Test
    void lambdaOverALibraryRecord_runs_andTheKernelAnswersAfterwards() {
        KernelClient.Execution declare = kernel.execute(
                "var updated = new psyche.ops.UpdateConfig.Result(java.util.List.of(), java.util.List.of(\"w1\", \"w2\"), null);", T);
        assertEquals("ok", declare.status(), () -> declare.reply().content().toString());
        KernelClient.Execution lambda = kernel.execute("updated.warnings().forEach(w -> System.out.println(\"warning: \" + w));", T);
        assertEquals("ok", lambda.status(), () -> lambda.reply().content().toString());
        assertEquals("warning: w1\nwarning: w2\n", lambda.stdout());
        KernelClient.Execution after = kernel.execute("1 + 1", T);
        assertEquals("ok", after.status());
    }

    /**
     * A snippet that crashes JShell's compiler (javac throws an Error out of {@code JShell.eval}, as its
     * "tree.meth.type is null" InternalError did on the notebook's lambda; a StackOverflowError in javac's parser on
     * a very deep expression is the same failure, reproducible on every JDK) is a one-line error, and the kernel answers.
     */
    @Test
    void compilerCrash_isAOneLineError_andTheKernelStaysResponsive() {
        KernelClient.Execution crash = kernel.execute("int deep = " + "1+".repeat(200_000) + "1;", Duration.ofSeconds(40));
        assertEquals("error", crash.status(), () -> crash.reply().content().toString());
        var content = crash.error().content();
        assertEquals("CompilerCrash", content.get("ename").getAsString(), content.toString());
        assertEquals(1, content.getAsJsonArray("traceback").size(), content.toString());
        String line = content.getAsJsonArray("traceback").get(0).getAsString();
        assertTrue(line.contains("StackOverflowError") && line.contains("line 1"), line);
        com.google.gson.JsonObject ask = new com.google.gson.JsonObject();
        ask.addProperty("code", "int deep = " + "1+".repeat(200_000) + "1;");
        assertEquals("complete", kernel.request("is_complete_request", ask, T).get("status").getAsString());
        KernelClient.Execution after = kernel.execute("1 + 1", T);
        assertEquals("ok", after.status(), () -> after.reply().content().toString());
    }

    @Test
    void lambdaOverAJdkList_runs() {
        KernelClient.Execution e = kernel.execute("var xs = java.util.List.of(\"a\");\nxs.forEach(x -> System.out.println(\"got \" + x));", T);
        assertEquals("ok", e.status(), () -> e.reply().content().toString());
        assertTrue(e.stdout().contains("got a"), e.stdout());
    }
}
