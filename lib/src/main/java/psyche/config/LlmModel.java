package psyche.config;

import java.util.Objects;

/**
 * The {@code [model.LLM]} table (the only variant of Psyche's {@code Model}). A freshly created run holds the
 * zeroed model ({@link #zeroed()}), which validation rejects (Ephemeral checkpoint, Dummy optimizer).
 */
public record LlmModel(
        long maxSeqLen,
        long coldStartWarmupSteps,
        Architecture architecture,
        Checkpoint checkpoint,
        DataType dataType,
        DataLocation dataLocation,
        LrSchedule lrSchedule,
        Optimizer optimizer) {

    public LlmModel {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(dataType, "dataType");
        Objects.requireNonNull(dataLocation, "dataLocation");
        Objects.requireNonNull(lrSchedule, "lrSchedule");
        Objects.requireNonNull(optimizer, "optimizer");
    }

    /** What an all-zero account decodes to. */
    public static LlmModel zeroed() {
        return new LlmModel(0, 0, Architecture.HfLlama, new Checkpoint.Ephemeral(), DataType.Pretraining,
                new DataLocation.Dummy(), new LrSchedule.Constant(0, 0, 0), new Optimizer.Dummy());
    }

    public LlmModel withCheckpoint(Checkpoint newCheckpoint) {
        return new LlmModel(maxSeqLen, coldStartWarmupSteps, architecture, newCheckpoint, dataType, dataLocation,
                lrSchedule, optimizer);
    }

    // with*: a copy with one field changed (a notebook changes one value in one call)
    public LlmModel withMaxSeqLen(long value) { return new LlmModel(value, coldStartWarmupSteps, architecture, checkpoint, dataType, dataLocation, lrSchedule, optimizer); }
    public LlmModel withColdStartWarmupSteps(long value) { return new LlmModel(maxSeqLen, value, architecture, checkpoint, dataType, dataLocation, lrSchedule, optimizer); }
    public LlmModel withArchitecture(Architecture value) { return new LlmModel(maxSeqLen, coldStartWarmupSteps, value, checkpoint, dataType, dataLocation, lrSchedule, optimizer); }
    public LlmModel withDataType(DataType value) { return new LlmModel(maxSeqLen, coldStartWarmupSteps, architecture, checkpoint, value, dataLocation, lrSchedule, optimizer); }
    public LlmModel withDataLocation(DataLocation value) { return new LlmModel(maxSeqLen, coldStartWarmupSteps, architecture, checkpoint, dataType, value, lrSchedule, optimizer); }
    public LlmModel withLrSchedule(LrSchedule value) { return new LlmModel(maxSeqLen, coldStartWarmupSteps, architecture, checkpoint, dataType, dataLocation, value, optimizer); }
    public LlmModel withOptimizer(Optimizer value) { return new LlmModel(maxSeqLen, coldStartWarmupSteps, architecture, checkpoint, dataType, dataLocation, lrSchedule, value); }
}
