package psyche.display;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where library code sends rich output. The Jupyter kernel installs its sink at start; without one, values are
 * printed as text (an update prints the new text, so a terminal shows a log of states).
 */
public final class Display {
    private static volatile DisplaySink sink = new TextSink(System.out);

    private Display() {}

    public static void install(DisplaySink newSink) { sink = Objects.requireNonNull(newSink, "sink"); }

    public static DisplaySink sink() { return sink; }

    public static String show(Object value) { return sink.display(value); }

    public static void update(String id, Object value) { sink.update(id, value); }

    /** Plain-text sink: prints {@code toString()}; updates print again, prefixed with the display id. */
    public static final class TextSink implements DisplaySink {
        private final PrintStream out;
        private final AtomicLong ids = new AtomicLong();

        public TextSink(PrintStream out) { this.out = out; }

        @Override public String display(Object value) {
            String id = "text-" + ids.incrementAndGet();
            out.println(value);
            return id;
        }

        @Override public void update(String id, Object value) {
            out.println(value);
        }
    }
}
