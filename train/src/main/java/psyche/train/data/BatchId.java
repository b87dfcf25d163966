package psyche.train.data;

/** A closed interval {@code [start, end]} of sequence indices, like Psyche's {@code BatchId}. */
public record BatchId(long start, long end) {
    public BatchId {
        if (start < 0 || end < start) throw new IllegalArgumentException("invalid batch [" + start + ", " + end + "]");
    }

    public long size() { return end - start + 1; }

    @Override public String toString() { return start == end ? "B" + start : "B[" + start + ", " + end + "]"; }
}
