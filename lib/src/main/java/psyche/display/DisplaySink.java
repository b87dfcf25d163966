package psyche.display;

/** A front end that can show an object and later replace what it showed. */
public interface DisplaySink {
    /** Shows {@code value}; returns an id for {@link #update}. */
    String display(Object value);

    /** Replaces the output shown under {@code id} with {@code value}. */
    void update(String id, Object value);
}
