package psyche.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import psyche.charts.Charts;
import psyche.research.Sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sweep}: a DisTrO grid against an AdamW baseline on in-process sessions ({@link Sweep}). */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Train the tiny model with every combination of DisTrO settings (and an AdamW baseline) for the same "
                + "steps from the same seed; print final and held-out loss, bytes per step and the ratio to dense bf16.")
public final class SweepCommand implements Callable<Integer> {
    @Option(names = "--dataset", defaultValue = "datasets/tiny/train.bin", description = "training tokens (default ${DEFAULT-VALUE})")
    Path dataset;

    @Option(names = "--held-out", defaultValue = "datasets/tiny/valid.bin", description = "held-out tokens (default ${DEFAULT-VALUE})")
    Path heldOut;

    @Option(names = "--steps", defaultValue = "20", description = "steps per variant (default ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--topk", split = ",", defaultValue = "4,8,16", description = "compression_topk values (default ${DEFAULT-VALUE})")
    List<Integer> topk;

    @Option(names = "--chunk", split = ",", defaultValue = "64", description = "compression_chunk values (default ${DEFAULT-VALUE})")
    List<Integer> chunk;

    @Option(names = "--decay", split = ",", defaultValue = "0.999", description = "compression_decay values (default ${DEFAULT-VALUE})")
    List<Double> decay;

    @Option(names = "--quantize-1bit", split = ",", defaultValue = "true", description = "quantize_1bit values (default ${DEFAULT-VALUE})")
    List<Boolean> quantize;

    @Option(names = "--clients", split = ",", defaultValue = "2", description = "DisTrO client counts (default ${DEFAULT-VALUE})")
    List<Integer> clients;

    @Option(names = "--no-adamw", description = "leave out the one-client AdamW baseline")
    boolean noAdamw;

    @Option(names = "--batch", defaultValue = "16", description = "global batch in sequences (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seq-len", defaultValue = "64", description = "tokens per sequence (default ${DEFAULT-VALUE})")
    int seqLen;

    @Option(names = "--seed", defaultValue = "42", description = "initial weights (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--chart", description = "also save the loss curves (.png or .svg)")
    Path chart;

    @Override public Integer call() throws Exception {
        Sweep sweep = Sweep.builder().setDataset(dataset).optHeldOut(heldOut).optSteps(steps)
                .optTopk(topk).optChunk(chunk).optDecay(decay).optQuantize1bit(quantize).optClients(clients)
                .optAdamWBaseline(!noAdamw).optBatch(batch, seqLen).optSeed(seed).optDevice(device).optProgress(false)
                .optOnVariant(o -> System.err.printf("sweep: %s: final loss %.4f, held-out %.4f%n",
                        o.variant().name(), o.finalLoss(), o.heldOutLoss()))
                .build();
        System.err.println("sweep: " + sweep.variants().size() + " variants x " + steps + " steps");
        Sweep.Result r = sweep.run();
        System.out.println(r.table().printAll());
        if (chart != null) {
            Charts.save(r.lossChart(), chart);
            System.err.println("sweep: loss curves in " + chart);
        }
        return 0;
    }
}
