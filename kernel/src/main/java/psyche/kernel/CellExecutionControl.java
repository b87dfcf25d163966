package psyche.kernel;

import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * JShell local execution on a dedicated thread group. Remembers the last value and the last throwable as live
 * objects (JShell itself only reports strings), and stops the group on interrupt.
 */
final class CellExecutionControl extends LocalExecutionControl {
    /** How long well-behaved code gets to react to {@link Thread#interrupt()} before the group is stopped. */
    private static final long POLITE_STOP_MILLIS = 200;
    /**
     * How long the group is stopped again and again: code that catches {@code Throwable} swallows one ThreadDeath,
     * but not one that lands outside its try block. After this the cell's thread is abandoned (the kernel goes on).
     */
    private static final long FORCED_STOP_MILLIS = 3_000;
    private static final long STOP_REPEAT_MILLIS = 5;

    private final ThreadGroup group;
    private final AtomicReference<Thread> running = new AtomicReference<>();
    private volatile boolean stopRequested;
    private volatile Object lastValue;
    private volatile Throwable lastThrown;

    private final ClassLoader userLoader;

    CellExecutionControl(ThreadGroup group) {
        this.group = group;
        // LocalExecutionControl's loader delegate made its class loader (snippets + added jars) this thread's
        // context loader; cells get it too, so ServiceLoader and friends see jars added by %maven/%classpath
        this.userLoader = Thread.currentThread().getContextClassLoader();
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object[] result = new Object[1];
        Throwable[] thrown = new Throwable[1];
        lastValue = null;
        lastThrown = null;
        Thread thread = new Thread(group, () -> {
            try {
                result[0] = doitMethod.invoke(null);
            } catch (InvocationTargetException e) {
                thrown[0] = e.getCause();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }, "psyche-cell");
        thread.setContextClassLoader(userLoader);
        running.set(thread);
        abandoned = false;
        if (stopPending) {
            // the interrupt came while this snippet was compiling (or before): it must not start running now
            running.set(null);
            stopRequested = true;
            throw new ExecutionControl.StoppedException();
        }
        try {
            thread.start();
            while (thread.isAlive() && !abandoned) thread.join(50);
        } finally {
            running.set(null);
        }
        if (stopRequested) throw new ExecutionControl.StoppedException();
        if (thrown[0] != null) {
            lastThrown = thrown[0];
            return throwConvertedInvocationException(thrown[0]);
        }
        lastValue = result[0];
        return valueString(result[0]);
    }

    /** Snippet classes are loaded with their exit calls sent to {@link ExitGuard} (a cell cannot end the kernel). */
    @Override
    public void load(ClassBytecodes[] cbcs) throws ClassInstallException, NotImplementedException, EngineTerminationException {
        ClassBytecodes[] guarded = new ClassBytecodes[cbcs.length];
        for (int i = 0; i < cbcs.length; i++) {
            guarded[i] = new ClassBytecodes(cbcs[i].name(), ExitGuard.rewrite(cbcs[i].bytecodes()));
        }
        super.load(guarded);
    }

    /** The loader of snippet classes and jars added by %maven/%classpath. */
    ClassLoader userLoader() {
        return userLoader;
    }

    /** The value of the last successful invocation (the last snippet's value), then forgets it. */
    Object takeLastValue() {
        Object v = lastValue;
        lastValue = null;
        return v;
    }

    /** The throwable of the last failed invocation, then forgets it. */
    Throwable takeLastThrown() {
        Throwable t = lastThrown;
        lastThrown = null;
        return t;
    }

    /** True when the last cell was stopped; resets the flag. */
    boolean takeStopped() {
        boolean s = stopRequested;
        stopRequested = false;
        return s;
    }

    /**
     * Stops the running cell, escalating: interrupt the cell's thread group; then stop it (ThreadDeath) repeatedly
     * for up to {@link #FORCED_STOP_MILLIS}, since a loop that catches {@code Throwable} swallows the ThreadDeaths
     * that land inside its try block; finally abandon the thread (it keeps running at minimum priority, and the
     * kernel says so) so the kernel and its state stay usable.
     */
    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        stopPending = true; // until the cell ends: no later snippet of it starts
        Thread thread = running.get();
        if (thread == null) return;
        stopRequested = true;
        group.interrupt();
        try {
            thread.join(POLITE_STOP_MILLIS);
            long deadline = System.nanoTime() + FORCED_STOP_MILLIS * 1_000_000;
            while (thread.isAlive() && System.nanoTime() < deadline) {
                try {
                    thread.stop(); // JDK 17: throws ThreadDeath into the cell's thread; its locals are lost, its state kept
                } catch (UnsupportedOperationException e) {
                    break; // a JDK without Thread.stop: abandon below
                }
                thread.join(STOP_REPEAT_MILLIS);
            }
            if (thread.isAlive()) {
                thread.setPriority(Thread.MIN_PRIORITY);
                abandoned = true;
                System.err.println("psyche kernel: the interrupted cell ignored interrupt and stop (it catches Throwable); "
                        + "its thread was abandoned and still runs at low priority: restart the kernel to end it");
            } else {
                group.interrupt(); // threads the cell started
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An interrupt arrived during this cell: no further snippet of it may start. Cleared when a cell starts. */
    private volatile boolean stopPending;

    /** A new cell starts: an interrupt of the previous one no longer applies. */
    void clearPendingStop() {
        stopPending = false;
    }

    /** Set when {@link #stop} gave up on a thread that would not stop: the invocation returns without it. */
    private volatile boolean abandoned;

    /** Hands one pre-built control to JShell. */
    record Provider(CellExecutionControl control) implements ExecutionControlProvider {
        @Override
        public String name() {
            return "psyche-cell";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }
    }
}
