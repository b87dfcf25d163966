package psyche.kernel;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shift-Tab (inspect_request) shows the Javadoc of psyche symbols, with or without the call's '('. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PsycheKernel_InspectTest {
    private static final Duration T = Duration.ofSeconds(60);
    private KernelClient kernel;

    @BeforeAll
    void start() throws Exception {
        kernel = KernelClient.start(Path.of("target", "inspect-test"));
        kernel.execute("1", T);
    }

    @AfterAll
    void stop() throws Exception {
        if (kernel != null) kernel.close();
    }

    private String inspect(String code, int cursor) {
        JsonObject content = new JsonObject();
        content.addProperty("code", code);
        content.addProperty("cursor_pos", cursor);
        content.addProperty("detail_level", 0);
        JsonObject reply = kernel.request("inspect_request", content, T);
        assertTrue(reply.get("found").getAsBoolean(), reply.toString());
        return reply.getAsJsonObject("data").get("text/plain").getAsString();
    }

    @Test
    void methodWithoutParenthesis() {
        String code = "Numbers.lr";
        String text = inspect(code, code.length());
        assertTrue(text.contains("String Numbers.lr(double lr)"), text);
        assertTrue(text.contains("A learning rate: 9.00e-04, 1.00e-03; zero as 0."), text);
    }

    @Test
    void methodAfterParenthesis() {
        String code = "Numbers.count(";
        String text = inspect(code, code.length());
        assertTrue(text.contains("A count, with thousands separators: 35,000,000."), text);
    }

    @Test
    void cursorInsideTheName() {
        String code = "var t = Frames.runSummary(null, null);";
        String text = inspect(code, code.indexOf("runSum") + 3);
        assertTrue(text.contains("One row: state, epoch, step"), text);
    }

    @Test
    void aClass() {
        String code = "Numbers";
        String text = inspect(code, code.length());
        assertTrue(text.contains("The one number formatting policy"), text);
    }
}
