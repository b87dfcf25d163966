package psyche.kernel.stock;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;

/**
 * A plain jjava kernel, written as any jjava kernel is (jjava's {@link BaseKernel}, JShell evaluating cells, jjava's
 * own {@link Renderer} and extension loading), with nothing of ours: not {@code PsycheKernel}, not its evaluator.
 * What our jar gives such a kernel it gives only through jjava's {@code Extension} service. Cells run in this JVM
 * (JShell's local engine), so a cell's last expression comes back as the object itself, as in jjava's Java kernel.
 */
public final class StockJShellKernel extends BaseKernel implements AutoCloseable {
    /** Where a cell's value is handed from JShell's snippet to the kernel (same class loader: the system one). */
    public static final AtomicReference<Object> LAST = new AtomicReference<>();

    private final JShell shell;

    public StockJShellKernel() {
        super("stock-jshell", "1.0", new LanguageInfo("java", Runtime.version().toString(), "text/x-java-source", ".jshell",
                        "java", "text/x-java", "script"), List.of(), null, new JupyterIO(StandardCharsets.UTF_8),
                new CommManager(), new Renderer(), null, new MagicsRegistry(), true, new StringStyler.Builder().build());
        shell = JShell.builder().executionEngine("local").build();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) shell.addToClasspath(entry);
        }
    }

    /** Evaluates every snippet of {@code code}; the value of a last expression is returned as the object. */
    @Override public Object evalRaw(String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        List<String> snippets = new ArrayList<>();
        String rest = code;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) break;
            if (!info.completeness().isComplete()) throw new IllegalArgumentException("incomplete cell: " + rest);
            snippets.add(info.source());
            rest = info.remaining();
        }
        Object value = null;
        for (int i = 0; i < snippets.size(); i++) {
            List<SnippetEvent> events = shell.eval(snippets.get(i));
            for (SnippetEvent e : events) {
                if (e.exception() != null) {
                    String what = e.exception() instanceof EvalException ee ? ee.getExceptionClassName() : e.exception().getClass().getName();
                    throw new IllegalStateException("cell failed: " + what + ": " + e.exception().getMessage(), e.exception());
                }
                if (e.status() == Snippet.Status.REJECTED) {
                    StringBuilder why = new StringBuilder("does not compile: " + snippets.get(i).strip());
                    shell.diagnostics(e.snippet()).forEach(d -> why.append("\n  ").append(d.getMessage(null)));
                    throw new IllegalStateException(why.toString());
                }
            }
            Snippet last = events.isEmpty() ? null : events.get(0).snippet();
            String name = null;
            if (i == snippets.size() - 1 && last instanceof jdk.jshell.ExpressionSnippet expression) name = expression.name();
            if (i == snippets.size() - 1 && last instanceof jdk.jshell.VarSnippet var
                    && last.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) name = var.name();
            if (name != null) {
                for (SnippetEvent e : shell.eval(StockJShellKernel.class.getName() + ".LAST.set(" + name + ");")) {
                    if (e.status() == Snippet.Status.REJECTED || e.exception() != null) {
                        StringBuilder why = new StringBuilder("cannot hand the value of " + name + " over: " + e.status() + " " + e.exception());
                        shell.diagnostics(e.snippet()).forEach(d -> why.append("\n  ").append(d.getMessage(null)));
                        throw new IllegalStateException(why.toString());
                    }
                }
                value = LAST.getAndSet(null);
                if (value == null) throw new IllegalStateException("the value of " + name + " did not arrive (another class loader?)");
            }
        }
        return value;
    }

    /** Evaluates a cell and renders its value with jjava's renderer (what the kernel would send as display data). */
    public DisplayData cell(String code) { return eval(code); }

    @Override public DisplayData inspect(String code, int at, boolean extraDetail) { return null; }

    @Override public ReplacementOptions complete(String code, int at) { return null; }

    @Override public String isComplete(String code) { return IS_COMPLETE_YES; }

    @Override public void close() { shell.close(); }
}
