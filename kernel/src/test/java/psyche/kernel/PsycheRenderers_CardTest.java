package psyche.kernel;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import psyche.config.Architecture;
import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.DataType;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunConfig;

import static org.junit.jupiter.api.Assertions.assertTrue;

class PsycheRenderers_CardTest {
    @Test
    void runConfig_rendersAsHtmlCardAndText() {
        Renderer renderer = new Renderer();
        PsycheRenderers.registerAll(renderer);
        RunConfig run = new RunConfig(
                new CoordinatorConfig(60, 30, 15, 1, 0, 300, 25_000, 2, 1, 1, 8, 16, 0, 3),
                new LlmModel(2048, 0, Architecture.HfLlama, new Checkpoint.Ephemeral(), DataType.Pretraining,
                        new DataLocation.Dummy(), new LrSchedule.Constant(1e-4, 0, 10), new Optimizer.Dummy()));
        DisplayData data = renderer.render(run);
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        String text = (String) data.getData(MIMEType.TEXT_PLAIN);
        assertTrue(html.contains("Run config") && html.contains("HfLlama") && html.contains("8 → 16"), html);
        assertTrue(text.contains("total steps") && text.contains("25,000") && text.contains("2 / 1"), text);
    }
}
