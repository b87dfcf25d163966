package psyche.config;

/** When a config change may be applied to a live run. */
public enum Safety {
    /** Metadata: {@code update} accepts it in any state and clients do not depend on it. */
    SAFE_ANYTIME,
    /** Config, model and progress: the program accepts them only while the run is halted (paused). */
    NEEDS_HALTED,
    /** Even when halted, clients' cached model, data or state no longer match (seeds' FAQ "What should NOT be changed mid-run"). */
    UNSAFE_MID_RUN
}
