package psyche.kernel;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Psyche Jupyter kernel: jjava's protocol and display machinery, cells evaluated by {@link CellEvaluator},
 * magics as listed by {@code %lsmagic} ({@link Magics}).
 * Run as {@code java -jar psyche-kernel-all.jar CONNECTION_FILE}.
 */
public final class PsycheKernel extends BaseKernel {

    private final CompletableFuture<CellEvaluator> evaluator;
    private MavenResolver maven;

    public PsycheKernel() {
        super("psyche", "0.1.0",
                new LanguageInfo("java", Runtime.version().toString(), "text/x-java-source", ".jshell", "java",
                        "text/x-java", "script"),
                List.of(), null, new JupyterIO(StandardCharsets.UTF_8), new CommManager(), new Renderer(), null,
                new MagicsRegistry(), true, new StringStyler.Builder().build());
        System.setProperty("java.awt.headless", "true");
        // JShell and the startup imports warm up while Jupyter connects
        java.io.PrintStream log = System.err; // cells swap System.err while they run
        long start = System.nanoTime();
        evaluator = CompletableFuture.supplyAsync(() -> {
            CellEvaluator ev = new CellEvaluator(StartupImports.available(System.getProperty("java.class.path")));
            log.printf(Locale.ROOT, "psyche kernel: JShell ready in %d ms with %d startup imports%n",
                    (System.nanoTime() - start) / 1_000_000, ev.imports().size());
            return ev;
        });
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -jar psyche-kernel-all.jar CONNECTION_FILE (Jupyter passes it via kernel.json)");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        JupyterConnection connection = new JupyterConnection(props);
        // cells' output is batched (BatchedOutput); the headroom is for display updates of live charts
        connection.getIOPub().setSndHWM(10_000);
        exitWhenParentDies();
        PsycheKernel kernel = new PsycheKernel();
        kernel.onStartup();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        System.exit(0); // cells may have left non-daemon threads running
    }

    /**
     * A kernel whose client died (Jupyter killed, notebook server crashed) would run on with its cells and local
     * chain: watch the parent (Jupyter's {@code JPY_PARENT_PID}, else the launching process) and exit with it.
     */
    static void exitWhenParentDies() {
        java.util.Optional<ProcessHandle> parent = java.util.Optional.ofNullable(System.getenv("JPY_PARENT_PID"))
                .filter(p -> p.matches("\\d+")).flatMap(p -> ProcessHandle.of(Long.parseLong(p)))
                .or(() -> ProcessHandle.current().parent());
        parent.ifPresent(p -> p.onExit().thenRun(() -> {
            LOG.println("psyche kernel: parent process " + p.pid() + " exited; the kernel exits too");
            System.exit(0);
        }));
    }

    private CellEvaluator evaluator() {
        try {
            return evaluator.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while JShell was starting", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("JShell did not start: " + e.getCause(), e.getCause());
        }
    }

    /** This cell's batched stdout and stderr (null between cells). */
    private volatile BatchedOutput.CellStream cellOut;
    private volatile BatchedOutput.CellStream cellErr;

    /**
     * Cells write to batched streams over jjava's (one stream message per batch, not per {@code println}); restored
     * when the request ends, like jjava does.
     */
    @Override
    protected void replaceOutputStreams(ShellReplyEnvironment env) {
        java.io.PrintStream oldOut = System.out;
        java.io.PrintStream oldErr = System.err;
        java.io.InputStream oldIn = System.in;
        BatchedOutput.CellStream out = BatchedOutput.over(io.out);
        BatchedOutput.CellStream err = BatchedOutput.over(io.err);
        cellOut = out;
        cellErr = err;
        System.setOut(out);
        System.setErr(err);
        System.setIn(io.in);
        env.defer(() -> {
            out.close();
            err.close();
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        });
    }

    @Override
    public Object evalRaw(String code) {
        int count = executionCount.get() - 1; // the execute handler has already advanced the counter
        CellSource cell = CellSource.parse(code);
        inCell = true;
        Object value = null;
        try {
            evaluator().startCell(); // waits for JShell on the first cell
            if (interruptedWhileStarting) throw new CellInterrupted();
            for (CellSource.Part part : cell.parts()) {
                if (part instanceof CellSource.Code c) value = evaluator().evaluate(cell, c, count);
                else if (part instanceof CellSource.LineMagic m) value = lineMagic(cell, m, count);
                else if (part instanceof CellSource.CellMagic m) value = cellMagic(cell, m, count);
            }
        } finally {
            inCell = false;
            interruptedWhileStarting = false;
            finishCellOutput(); // before the result or error is published: output comes first, nothing is left behind
        }
        return value;
    }

    private void finishCellOutput() {
        BatchedOutput.CellStream out = cellOut;
        BatchedOutput.CellStream err = cellErr;
        long lost = (out == null ? 0 : out.finish()) + (err == null ? 0 : err.finish());
        if (lost > 0) {
            String line = BatchedOutput.lostLine(lost);
            io.err.print(line); // straight to jjava's stream: past the cap, the batched one drops everything
            io.err.flush();
            LOG.print(line);
        }
    }

    /** The kernel process's own stderr (the Jupyter log), whatever cells do to System.err. */
    private static final java.io.PrintStream LOG = System.err;

    private Object lineMagic(CellSource cell, CellSource.LineMagic m, int count) {
        int start = cell.text().indexOf(m.rest(), m.offset() + 1 + m.name().length());
        return runMagic(m.name(), false, new Magics.Context(this, cell, count), m.args(), m.rest(), "", Math.max(start, m.offset()));
    }

    private Object cellMagic(CellSource cell, CellSource.CellMagic m, int count) {
        return runMagic(m.name(), true, new Magics.Context(this, cell, count), m.args(), "", m.body(), m.bodyOffset());
    }

    /** Runs a registered magic; its own failures become one line ({@link Magics.MagicError}), cell errors stay as they are. */
    private Object runMagic(String name, boolean cell, Magics.Context ctx, List<String> args, String rest, String body, int offset) {
        Magics.Magic magic = Magics.find(name, cell).orElseThrow(() -> new Magics.MagicError(
                "unknown magic " + (cell ? "%%" : "%") + name + "; %lsmagic lists the magics, %help explains them"));
        try {
            return magic.run(ctx, args, rest, body, offset);
        } catch (KernelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Magics.MagicError(magic.typed() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** Evaluates Java code of {@code cell} (for magics that run code: %time, %load). */
    Object evaluate(CellSource cell, CellSource.Code code, int count) {
        return evaluator().evaluate(cell, code, count);
    }

    /** Adds jars or folders to later cells' class path and installs the renderers they ship. */
    void addToClasspath(List<String> paths) {
        evaluator().addToClasspath(paths);
        installExtensions(evaluator().userClassLoader()); // renderers shipped in the added jars
    }

    List<String> classpath() {
        return evaluator().classpath();
    }

    MavenResolver maven() {
        if (maven == null) maven = new MavenResolver();
        return maven;
    }

    @Override
    public List<String> formatError(Throwable e) {
        if (e instanceof KernelException k) return k.traceback();
        return super.formatError(e);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        String text;
        try {
            text = evaluator().inspect(code, at);
        } catch (StackOverflowError | InternalError | AssertionError e) { // a javac crash: no answer, not a dead shell thread
            return null;
        }
        return text == null ? null : new DisplayData(text);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int lineStart = code.lastIndexOf('\n', at - 1) + 1;
        if (lineStart < code.length() && code.charAt(lineStart) == '%' && code.substring(lineStart, at).matches("%%?\\w*")) {
            String typed = code.substring(lineStart, at);
            return new ReplacementOptions(Magics.typedNames().stream()
                    .filter(n -> n.startsWith(typed)).distinct().collect(Collectors.toList()), lineStart, at);
        }
        CellEvaluator.Completion c;
        try {
            c = evaluator().complete(code, at);
        } catch (StackOverflowError | InternalError | AssertionError e) { // a javac crash: no candidates
            return new ReplacementOptions(List.of(), at, at);
        }
        return new ReplacementOptions(c.candidates(), c.start(), c.end());
    }

    @Override
    public String isComplete(String code) {
        try {
            return evaluator().isComplete(code);
        } catch (StackOverflowError | InternalError | AssertionError e) { // a javac crash: let execution report it
            return "complete";
        }
    }

    /** A cell is being evaluated (or waits for JShell to start). */
    private volatile boolean inCell;
    /** The interrupt came while the first cell waited for JShell: that cell must not run. */
    private volatile boolean interruptedWhileStarting;

    @Override
    public void interrupt() {
        if (evaluator.isDone()) evaluator().interrupt();
        else if (inCell) interruptedWhileStarting = true;
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        super.onShutdown(isRestarting);
        if (evaluator.isDone()) evaluator().close();
    }
}
