package psyche.train.bench;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import psyche.train.LlamaConfig;
import psyche.train.LlamaModel;
import psyche.train.TorchRuntime;

/** Manual probe: where forward/backward time goes (threads, forward alone, forward+backward). */
public final class ForwardProbe {
    public static void main(String[] args) {
        TorchRuntime.noGradOnThisThread();
        System.out.println("threads " + JniUtils.getNumThreads() + " interop " + JniUtils.getNumInteropThreads());
        if (args.length > 0) JniUtils.setNumThreads(Integer.parseInt(args[0]));
        LlamaConfig cfg = LlamaConfig.tiny(1024);
        int[][] s = new int[16][65];
        java.util.Random r = new java.util.Random(1);
        for (int[] row : s) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(1024);
        try (LlamaModel m = LlamaModel.create(cfg, Device.cpu(), 1)) {
            for (int k = 0; k < 3; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) m.evalLoss(s);
                long t1 = System.nanoTime();
                for (int i = 0; i < 10; i++) { m.zeroGradients(); m.forwardBackward(s); }
                long t2 = System.nanoTime();
                System.out.printf("forward %.4f s, forward+backward %.4f s%n", (t1 - t0) / 1e10, (t2 - t1) / 1e10);
            }
        }
    }
}
