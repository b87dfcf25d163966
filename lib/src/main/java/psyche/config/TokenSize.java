package psyche.config;

/** Width of one token in raw token files; declaration order is the tag order. */
public enum TokenSize {
    TwoBytes(2), FourBytes(4);

    private final int bytes;

    TokenSize(int bytes) { this.bytes = bytes; }

    public int bytes() { return bytes; }
}
