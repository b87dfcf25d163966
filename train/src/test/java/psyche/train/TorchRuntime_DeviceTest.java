package psyche.train;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchRuntime_DeviceTest {
    @Test void engineLoadsOfflineAndDevicesResolve() {
        assertEquals("PyTorch", TorchRuntime.engine().getEngineName());
        assertEquals("true", System.getProperty("ai.djl.offline"), "no download at run time");
        assertEquals(Device.cpu(), TorchRuntime.device(TorchRuntime.DeviceChoice.CPU));
        Device auto = TorchRuntime.device(TorchRuntime.DeviceChoice.AUTO);
        if (TorchRuntime.engine().getGpuCount() == 0) {
            assertEquals(Device.cpu(), auto, "auto falls back to the CPU");
            TrainingException e = assertThrows(TrainingException.class, () -> TorchRuntime.device(TorchRuntime.DeviceChoice.GPU));
            assertTrue(e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
        } else {
            assertTrue(auto.isGpu(), "auto takes the GPU when one is visible");
        }
        assertEquals(TorchRuntime.DeviceChoice.GPU, TorchRuntime.DeviceChoice.parse(" Gpu "));
        TrainingException bad = assertThrows(TrainingException.class, () -> TorchRuntime.DeviceChoice.parse("tpu"));
        assertTrue(bad.getMessage().contains("auto, cpu or gpu"), bad.getMessage());
    }
}
