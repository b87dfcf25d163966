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
        try {
            thread.start();
            thread.join();
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

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        Thread thread = running.get();
        if (thread == null) return;
        stopRequested = true;
        group.interrupt();
        try {
            thread.join(POLITE_STOP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            try {
                group.stop(); // JDK 17: throws ThreadDeath into busy loops; the cell's locals are lost, its state kept
            } catch (UnsupportedOperationException e) {
                System.err.println("psyche kernel: this JDK cannot stop a running thread; restart the kernel");
            }
        }
    }

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
