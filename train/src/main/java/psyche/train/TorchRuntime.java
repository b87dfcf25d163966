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

    private static boolean allocatorTuned;

    /** Sets offline mode (unless the user chose otherwise) and loads the engine; returns it. */
    public static synchronized Engine engine() {
        if (!allocatorTuned) {
            allocatorTuned = true;
            keepFreedTensorMemory();
        }
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

    private static final int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    /**
     * Every tensor op allocates its output with malloc. glibc serves blocks of a few MiB (logits, activations) with
     * fresh mappings and hands freed heap tops back to the kernel, so each step faults the same memory in again,
     * which is slow in virtual machines (measured: forward/backward of the tiny model ~4% faster, log-softmax and its
     * backward ~2x). Keeping blocks below 32 MiB in the heap and up to 128 MiB of freed memory per arena makes the
     * next step reuse them. Process-wide and glibc only (elsewhere nothing is changed).
     */
    private static void keepFreedTensorMemory() {
        if (!com.sun.jna.Platform.isLinux()) return;
        try {
            com.sun.jna.Function mallopt = com.sun.jna.NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME)
                    .getFunction("mallopt");
            mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, 32 << 20});
            mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, 128 << 20});
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // not glibc (or no JNA natives): the default allocator behaviour stays
        }
    }

    /** Resolves a device choice; {@code gpu} without a visible GPU is an error rather than a silent CPU run. */
    public static Device device(DeviceChoice choice) {
        Engine engine = engine();
        int gpus = engine.getGpuCount();
        Device chosen = switch (choice) {
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
        psyche.reports.ProvenanceLog.device(chosen + " (" + engine.getEngineName() + " " + engine.getVersion() + ")");
        return chosen;
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
