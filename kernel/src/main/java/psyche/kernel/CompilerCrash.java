package psyche.kernel;

import java.util.List;

/**
 * JShell's compiler itself failed on a snippet (javac threw an Error, e.g. its {@code InternalError "tree.meth.type is
 * null"} on some lambdas, or a StackOverflowError on a very deep expression). jjava's request handlers catch only
 * {@link Exception}: an Error escaping them ends the shell thread and the kernel never answers again, so the kernel
 * turns it into this one-line cell error and stays responsive. The session is unchanged; earlier snippets stay.
 */
public final class CompilerCrash extends KernelException {
    CompilerCrash(int line, Throwable crash) {
        super("line " + line + ": JShell's compiler crashed on this snippet (" + describe(crash)
                + "); rewrite it (e.g. a for loop instead of the lambda, or split the expression) and run the cell again", crash);
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        String first = m == null ? "" : m.lines().findFirst().orElse("");
        return root.getClass().getName() + (first.isEmpty() ? "" : ": " + first);
    }

    @Override
    public List<String> traceback() {
        return List.of(getMessage());
    }
}
