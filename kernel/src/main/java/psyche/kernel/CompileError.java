package psyche.kernel;

import java.util.ArrayList;
import java.util.List;

/** The cell does not compile: each problem with its line and column inside the cell and the offending source line. */
public final class CompileError extends KernelException {
    /** One diagnostic; {@code line} and {@code column} are 1-based positions inside the cell. */
    public record Problem(int line, int column, String message, String sourceLine) {}

    private final List<Problem> problems;

    public CompileError(List<Problem> problems) {
        super(summary(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String summary(List<Problem> problems) {
        if (problems.isEmpty()) return "the cell does not compile";
        Problem p = problems.get(0);
        return "line " + p.line() + ", column " + p.column() + ": " + p.message().lines().findFirst().orElse("");
    }

    @Override
    public List<String> traceback() {
        List<String> lines = new ArrayList<>();
        for (Problem p : problems) {
            lines.add("Compile error at line " + p.line() + ", column " + p.column() + ":");
            if (p.sourceLine() != null) {
                lines.add("    " + p.sourceLine());
                lines.add("    " + " ".repeat(Math.max(0, p.column() - 1)) + "^");
            }
            p.message().lines().forEach(l -> lines.add("  " + l));
        }
        return lines;
    }
}
