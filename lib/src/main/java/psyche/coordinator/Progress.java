package psyche.coordinator;

/** Where a run is: epoch (u16), step (u32, starts at 1) and the data index where this epoch starts (u64). */
public record Progress(int epoch, long step, long epochStartDataIndex) {
    public static Progress zeroed() { return new Progress(0, 0, 0); }
}
