package psyche.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Locale;

/**
 * Loads DJL's PyTorch engine from the natives shipped in {@code pytorch-native-cpu} (or a libtorch named by
 * {@code PYTORCH_LIBRARY_PATH} for CUDA), never downloading anything at run time.
 */
public final class TorchRuntime {
    private TorchRuntime() {}

    /** Where training runs: {@code auto} takes a GPU when the engine sees one. */
    public enum DeviceChoice {
        AUTO, CPU, GPU;

        public static DeviceChoice parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TrainingException("unknown device '" + text + "': use auto, cpu or gpu");
            }
        }
    }

    /** Sets offline mode (unless the user chose otherwise) and loads the engine; returns it. */
    public static synchronized Engine engine() {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("ai.djl.default_engine") == null) System.setProperty("ai.djl.default_engine", "PyTorch");
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new TrainingException("could not load DJL's PyTorch engine offline (" + e.getMessage() + "): "
                    + "keep ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64 and pytorch-jni:2.7.1-0.35.1 on the "
                    + "class path, or point PYTORCH_LIBRARY_PATH at a libtorch 2.7.1 install", e);
        }
    }

    /** Resolves a device choice; {@code gpu} without a visible GPU is an error rather than a silent CPU run. */
    public static Device device(DeviceChoice choice) {
        Engine engine = engine();
        int gpus = engine.getGpuCount();
        return switch (choice) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new TrainingException("device gpu asked for but the PyTorch engine sees no GPU: the Maven "
                            + "natives are CPU-only; install libtorch 2.7.1 with CUDA and set PYTORCH_LIBRARY_PATH "
                            + "(libtorch 2.7.1+cu128: pytorch-jni ships the cu128 JNI library; also PYTORCH_VERSION=2.7.1 "
                            + "PYTORCH_FLAVOR=cu128), or use --device cpu");
                }
                yield Device.gpu();
            }
        };
    }

    /**
     * Sets PyTorch's intra-op thread count for the process (default: one per core). On a machine shared with other
     * work, fewer threads than cores avoid OpenMP threads spinning against each other.
     */
    public static void setThreads(int threads) {
        engine();
        if (threads > 0) JniUtils.setNumThreads(threads);
    }

    public static int threads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /**
     * Turns autograd recording off on the calling thread: PyTorch's grad mode is thread-local, and optimizer updates
     * are in-place writes to leaf tensors, which autograd forbids while recording.
     */
    public static void noGradOnThisThread() {
        engine();
        JniUtils.setGradMode(false);
    }
}
