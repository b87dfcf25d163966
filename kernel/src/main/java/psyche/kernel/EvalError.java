package psyche.kernel;

import jdk.jshell.EvalException;
import jdk.jshell.JShellException;

import java.util.ArrayList;
import java.util.List;

/**
 * User code threw. The traceback shows the exception, its causes and only the frames of user and library code:
 * JShell's wrapper and reflection frames are cut, and snippet frames are named by cell and line.
 */
public final class EvalError extends KernelException {
    /** Frames shown per exception: deep recursion would otherwise print a thousand identical lines. */
    static final int MAX_FRAMES = 40;

    private final String exceptionClass;
    private final List<String> traceback;

    EvalError(String exceptionClass, String message, List<String> traceback) {
        super(exceptionClass + (message == null ? "" : ": " + message));
        this.exceptionClass = exceptionClass;
        this.traceback = List.copyOf(traceback);
    }

    /** Fully qualified class name of the exception the cell threw. */
    public String exceptionClass() {
        return exceptionClass;
    }

    @Override
    public List<String> traceback() {
        return traceback;
    }

    /**
     * Builds the trimmed traceback from JShell's translated exception (snippet frames carry file "#id" and the line
     * inside the snippet); {@code frameNamer} renames those frames to "cell [n], line m".
     */
    static EvalError of(JShellException thrown, java.util.function.Function<StackTraceElement, String> frameNamer) {
        List<String> lines = new ArrayList<>();
        Throwable t = thrown;
        boolean first = true;
        while (t != null) {
            lines.add((first ? "" : "Caused by: ") + describe(t));
            int shown = 0;
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < frames.length; i++) {
                StackTraceElement e = frames[i];
                if (shown == MAX_FRAMES) {
                    lines.add("    ... " + (frames.length - i) + " more frames");
                    break;
                }
                String cls = e.getClassName();
                if (cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.")
                        || cls.startsWith("jdk.jshell.") || cls.startsWith("psyche.kernel.CellExecutionControl")) {
                    continue;
                }
                String named = frameNamer.apply(e);
                lines.add("    at " + (named != null ? named : e.toString()));
                shown++;
                if (named != null && e.getMethodName().isEmpty()) break; // the cell's own code: JShell's invoker is below
            }
            t = t.getCause() == t ? null : t.getCause();
            first = false;
        }
        String cls = thrown instanceof EvalException ee ? ee.getExceptionClassName() : thrown.getClass().getName();
        return new EvalError(cls, thrown.getMessage(), lines);
    }

    private static String describe(Throwable t) {
        if (t instanceof EvalException ee) {
            return ee.getExceptionClassName() + (ee.getMessage() == null ? "" : ": " + ee.getMessage());
        }
        return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
