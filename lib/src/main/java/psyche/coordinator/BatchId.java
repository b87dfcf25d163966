package psyche.coordinator;

/** A closed interval {@code [start, end]} of sequence indices; shown as {@code B[s, e]}, or {@code Bs} if s == e. */
public record BatchId(long start, long end) implements Comparable<BatchId> {
    public BatchId {
        if (end < start) throw new IllegalArgumentException("batch end " + end + " < start " + start);
    }

    public long size() { return end - start + 1; }

    @Override public int compareTo(BatchId o) {
        int c = Long.compareUnsigned(start, o.start);
        return c != 0 ? c : Long.compareUnsigned(end, o.end);
    }

    @Override public String toString() { return start == end ? "B" + start : "B[" + start + ", " + end + "]"; }
}
