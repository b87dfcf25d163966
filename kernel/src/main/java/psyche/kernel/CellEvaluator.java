package psyche.kernel;

import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.VarSnippet;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * One JShell session evaluating cells: splits a cell into snippets, maps diagnostics and stack frames back to cell
 * lines, returns the last expression's value as a live object, and answers completion, inspection and
 * is-complete questions.
 */
final class CellEvaluator implements AutoCloseable {
    /** Where a snippet came from, to name its stack frames. */
    private record Origin(int cell, int firstLine) {}

    private final ThreadGroup cells = new ThreadGroup("psyche-cells");
    private final CellExecutionControl control;
    private final JShell jshell;
    private final SourceCodeAnalysis analysis;
    private final Map<String, Origin> origins = new ConcurrentHashMap<>();
    private final Set<String> addedClasspath = new LinkedHashSet<>();
    private final List<String> imports;
    private final JavadocLookup javadoc;
    /** Set by an interrupt that arrives between snippets (nothing running to stop); checked before each snippet. */
    private volatile boolean interruptRequested;

    /** Starts JShell on this JVM's class path and applies {@code startupImports}, skipping packages absent here. */
    CellEvaluator(List<String> startupImports) {
        control = new CellExecutionControl(cells);
        jshell = JShell.builder()
                .executionEngine(new CellExecutionControl.Provider(control), Map.of())
                .build();
        jshell.addToClasspath(System.getProperty("java.class.path"));
        analysis = jshell.sourceCodeAnalysis();
        List<String> applied = new ArrayList<>();
        for (String imp : startupImports) {
            List<SnippetEvent> events = jshell.eval(imp);
            if (events.isEmpty()) continue;
            if (events.get(0).status().isDefined()) applied.add(imp);
            else jshell.drop(events.get(0).snippet());
        }
        imports = List.copyOf(applied);
        javadoc = new JavadocLookup(CellEvaluator.class.getClassLoader(), imports);
    }

    /** The imports in effect at startup (those whose packages exist on the class path). */
    List<String> imports() {
        return imports;
    }

    /**
     * Evaluates Java source that starts at {@code code.offset()} in {@code cell}; returns the value of the last
     * snippet when it is an expression, else null.
     */
    Object evaluate(CellSource cell, CellSource.Code code, int executionCount) {
        String rest = code.source();
        int base = code.offset();
        Object value = null;
        while (!rest.isBlank()) {
            String remaining = rest;
            if (interruptRequested) {
                interruptRequested = false;
                throw new CellInterrupted();
            }
            CompletionInfo info = compiling(cell, base, () -> analysis.analyzeCompletion(remaining));
            if (info.completeness() == Completeness.EMPTY) break;
            String source;
            int consumed;
            if (info.completeness().isComplete()) {
                source = info.source();
                consumed = rest.length() - info.remaining().length();
            } else {
                source = rest; // let the compiler say what is missing
                consumed = rest.length();
            }
            // JShell numbers a snippet's stack-frame lines from its first character but wraps statements and
            // expressions without their leading blank lines and comments: hand it the snippet from its first code
            // character, so frame lines, diagnostics and the cell line all count from the same place
            int lead = codeStart(source);
            if (lead >= source.length()) {
                base += consumed;
                rest = rest.substring(consumed);
                continue;
            }
            value = evaluateSnippet(cell, source.substring(lead), base + leadingOffset(rest.substring(0, consumed), source, lead),
                    executionCount);
            base += consumed;
            rest = rest.substring(consumed);
        }
        return value;
    }

    private Object evaluateSnippet(CellSource cell, String source, int offset, int executionCount) {
        List<SnippetEvent> events = compiling(cell, offset, () -> jshell.eval(source));
        if (control.takeStopped()) {
            control.takeLastThrown();
            throw new CellInterrupted();
        }
        Integer exit = ExitGuard.takeRefused();
        if (exit != null) throw new SystemExit(exit);
        Object value = null;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) continue; // a dependent snippet updated by this one
            Snippet snippet = event.snippet();
            origins.put(snippet.id(), new Origin(executionCount, cell.lineOf(offset)));
            switch (event.status()) {
                case REJECTED -> throw compileError(cell, snippet, offset);
                case RECOVERABLE_NOT_DEFINED -> throw unresolved(cell, (DeclarationSnippet) snippet, offset, true);
                case RECOVERABLE_DEFINED -> System.err.println(unresolved(cell, (DeclarationSnippet) snippet, offset, false).getMessage());
                default -> { }
            }
            JShellException failure = event.exception();
            if (failure != null) {
                control.takeLastThrown();
                throw EvalError.of(failure, this::nameFrame);
            }
            if (isExpression(snippet)) {
                value = control.takeLastValue();
                // a bare expression's $N temporary would be imported into every later snippet: compile time and
                // memory would grow with each cell; cells use named variables instead
                if (snippet instanceof VarSnippet) jshell.drop(snippet);
            }
        }
        return value;
    }

    /**
     * Runs a call into JShell's compiler; an Error it throws (a javac crash) becomes a {@link CompilerCrash} naming the
     * cell line. Errors of cell code never arrive here: JShell reports them as the snippet event's exception.
     */
    private static <T> T compiling(CellSource cell, int offset, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (OutOfMemoryError e) {
            throw e; // nothing sensible to say from here
        } catch (Error e) { // javac's InternalError (a VirtualMachineError), StackOverflowError, AssertionError
            throw new CompilerCrash(cell.lineOf(offset), e);
        }
    }

    private static boolean isExpression(Snippet s) {
        return s instanceof ExpressionSnippet
                || (s instanceof VarSnippet && s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);
    }

    private CompileError compileError(CellSource cell, Snippet snippet, int offset) {
        List<CompileError.Problem> problems = jshell.diagnostics(snippet)
                .filter(Diag::isError)
                .map(d -> problem(cell, offset + position(d), d.getMessage(Locale.ROOT)))
                .collect(Collectors.toList());
        if (problems.isEmpty()) problems = List.of(problem(cell, offset, "JShell rejected this snippet"));
        jshell.drop(snippet);
        return new CompileError(problems);
    }

    private CompileError unresolved(CellSource cell, DeclarationSnippet snippet, int offset, boolean fatal) {
        String missing = String.join(", ", jshell.unresolvedDependencies(snippet).collect(Collectors.toList()));
        String what = snippet instanceof VarSnippet v ? "variable " + v.name()
                : snippet.kind().name().toLowerCase(Locale.ROOT) + " " + snippet.source().lines().findFirst().orElse("").strip();
        String message = fatal ? "cannot find symbol: " + missing + " (needed by " + what + ")"
                : "note: " + what + " is declared but cannot be used until " + missing + " is declared";
        if (fatal) jshell.drop(snippet);
        return new CompileError(List.of(problem(cell, offset, message)));
    }

    private static int position(Diag d) {
        long p = d.getPosition() >= 0 ? d.getPosition() : d.getStartPosition();
        return (int) Math.max(0, p);
    }

    private static CompileError.Problem problem(CellSource cell, int offset, String message) {
        return new CompileError.Problem(cell.lineOf(offset), cell.columnOf(offset), message, cell.lineText(offset));
    }

    /** Where the code of {@code source} (JShell's copy of the snippet, from {@code lead} on) begins in the consumed cell text. */
    private static int leadingOffset(String consumed, String source, int lead) {
        // JShell's copy starts like the consumed text (it may only add a missing ';' at the end)
        if (consumed.startsWith(source.substring(0, lead))) return lead;
        String head = source.substring(lead).lines().findFirst().orElse("");
        int idx = head.isEmpty() ? -1 : consumed.indexOf(head);
        return idx >= 0 ? idx : codeStart(consumed);
    }

    /** Index of the first character of {@code s} that is neither whitespace nor inside a leading comment. */
    static int codeStart(String s) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("//", i)) {
                int eol = s.indexOf('\n', i);
                i = eol < 0 ? s.length() : eol + 1;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                if (end < 0) return i; // unterminated: let the compiler say so
                i = end + 2;
            } else {
                break;
            }
        }
        return i;
    }

    /** JShell reports snippet frames as file "#id", line within the snippet; name them by cell and cell line. */
    private String nameFrame(StackTraceElement e) {
        String file = e.getFileName();
        if (file == null || !file.startsWith("#")) return null;
        Origin origin = origins.get(file.substring(1));
        String where = origin == null ? "snippet " + file
                : "cell [" + origin.cell() + "], line " + (origin.firstLine() + Math.max(1, e.getLineNumber()) - 1);
        return e.getMethodName().isEmpty() ? where : e.getMethodName() + " (" + where + ")";
    }

    /** Stops the running cell (interrupt, then stop the cell thread group), or the next snippet of the cell. */
    void interrupt() {
        interruptRequested = true;
        control.stop();
    }

    /** A new cell starts: forget an interrupt that arrived after the previous one ended. */
    void startCell() {
        interruptRequested = false;
        control.clearPendingStop();
    }

    /** Adds jars or directories to the class path of later cells (compiler and class loader). */
    void addToClasspath(List<String> paths) {
        for (String p : paths) {
            String abs = new File(p).getAbsolutePath();
            if (addedClasspath.add(abs)) jshell.addToClasspath(abs);
        }
    }

    /** The class loader of cell code, which sees the jars added by {@link #addToClasspath}. */
    ClassLoader userClassLoader() {
        return control.userLoader();
    }

    /** The kernel's class path followed by what cells added. */
    List<String> classpath() {
        List<String> all = new ArrayList<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        all.addAll(addedClasspath);
        return all;
    }

    /** Start of the snippet that contains {@code cursor}: the end of the last complete snippet before it. */
    private int snippetStart(String code, int cursor) {
        String plain = CellSource.withoutMagics(code).substring(0, cursor);
        int start = 0;
        while (start < plain.length()) {
            CompletionInfo info = analysis.analyzeCompletion(plain.substring(start));
            if (!info.completeness().isComplete() || info.remaining().isEmpty()) break;
            start = plain.length() - info.remaining().length();
        }
        while (start < cursor && Character.isWhitespace(plain.charAt(start))) start++;
        return start;
    }

    /** Completion candidates at {@code cursor}: replacements and the range [start, cursor) they replace. */
    Completion complete(String code, int cursor) {
        int start = snippetStart(code, cursor);
        String snippet = CellSource.withoutMagics(code).substring(start, cursor);
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions = analysis.completionSuggestions(snippet, snippet.length(), anchor);
        Set<String> seen = new LinkedHashSet<>();
        suggestions.stream().filter(SourceCodeAnalysis.Suggestion::matchesType).forEach(s -> seen.add(s.continuation()));
        suggestions.forEach(s -> seen.add(s.continuation()));
        return new Completion(List.copyOf(seen), start + anchor[0], cursor);
    }

    record Completion(List<String> candidates, int start, int end) {}

    /** Signatures (and javadoc when {@code detail}) of the name under the cursor, or the type of the expression. */
    String inspect(String code, int cursor) {
        String plain = CellSource.withoutMagics(code);
        int end = cursor;
        while (end < plain.length() && Character.isJavaIdentifierPart(plain.charAt(end))) end++;
        int start = snippetStart(plain, Math.min(cursor, end));
        String snippet = plain.substring(start, end);
        // documentation wants the cursor inside a call's parentheses or right after the name
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(snippet, snippet.length(), true);
        if (docs.isEmpty() && !snippet.isEmpty() && Character.isJavaIdentifierPart(snippet.charAt(snippet.length() - 1))) {
            // a method name without its '(' yet: ask as if the call had begun
            docs = analysis.documentation(snippet + "(", snippet.length() + 1, true);
        }
        if (!docs.isEmpty()) {
            return docs.stream().map(d -> {
                String doc = d.javadoc() != null && !d.javadoc().isBlank() ? d.javadoc().strip() : javadoc.javadoc(d.signature());
                return d.signature() + (doc == null || doc.isBlank() ? "" : "\n" + doc);
            }).distinct().collect(Collectors.joining("\n\n"));
        }
        String type = analysis.analyzeType(snippet, snippet.length());
        if (type == null || type.isBlank()) return null;
        int nameStart = snippet.length();
        while (nameStart > 0 && Character.isJavaIdentifierPart(snippet.charAt(nameStart - 1))) nameStart--;
        return snippet.substring(nameStart) + " : " + type;
    }

    /** Jupyter's is_complete answer: "complete", "invalid", or an indent for the next line when incomplete. */
    String isComplete(String code) {
        String rest = CellSource.withoutMagics(code);
        while (!rest.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE:
                    return "    ";
                case UNKNOWN:
                    return "invalid";
                case EMPTY:
                    return "complete";
                default:
                    if (info.remaining().length() >= rest.length()) return "complete";
                    rest = info.remaining();
            }
        }
        return "complete";
    }

    @Override
    public void close() {
        jshell.close();
    }
}
