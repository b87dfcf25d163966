package psyche.train.distro;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import psyche.config.Optimizer;
import psyche.train.LlamaConfig;
import psyche.train.LlamaModel;
import psyche.train.TorchRuntime;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the CPU the optimizer writes the parameters through buffers over their memory, which is freed with the model: a
 * step after the model is closed is refused, not a write into freed memory.
 */
class Distro_LifecycleTest {
    @Test void stepAfterTheModelIsClosedIsRefused() {
        TorchRuntime.noGradOnThisThread();
        Optimizer.Distro cfg = new Optimizer.Distro(Optional.empty(), Optional.empty(), 0.999f, 4, 16, true);
        LlamaModel model = LlamaModel.create(new LlamaConfig(32, 1, 4, 2, 48, 64, 32, 10000.0, 1e-5, true), Device.cpu(), 3);
        Distro distro = new Distro(cfg, model.parameters(), model.manager());
        distro.errorCorrection(1e-3);
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> distro.errorCorrection(1e-3));
        assertTrue(e.getMessage().contains("model was closed"), e.getMessage());
    }
}
