package psyche.kernel;

import java.security.Permission;

/**
 * Refuses {@code System.exit}/{@code Runtime.halt} from threads of the cell thread group (and their children), so a
 * cell cannot silently kill the kernel. Every other permission is granted: this is a guard, not a sandbox.
 *
 * <p>Uses the Security Manager, deprecated for removal: on JDK 17 it installs with a warning on the kernel's stderr;
 * JDK 18 to 23 need {@code -Djava.security.manager=allow} (the kernelspec passes it); where it cannot be installed
 * the kernel runs unguarded and says so at startup.
 */
@SuppressWarnings("removal")
final class ExitGuard extends SecurityManager {
    /** Thrown into the cell in place of exiting; carries the requested status. */
    static final class ExitRefused extends SecurityException {
        final int status;

        ExitRefused(int status) {
            super("System.exit(" + status + ") refused by the Psyche kernel");
            this.status = status;
        }
    }

    private final ThreadGroup guarded;
    /** The last refused status, kept even when the cell swallows {@link ExitRefused}. */
    private final java.util.concurrent.atomic.AtomicReference<Integer> refused = new java.util.concurrent.atomic.AtomicReference<>();

    private ExitGuard(ThreadGroup guarded) {
        this.guarded = guarded;
    }

    /** Installs a guard; returns null with a warning on stderr when this JDK refuses Security Managers. */
    static ExitGuard install(ThreadGroup guarded) {
        ExitGuard guard = new ExitGuard(guarded);
        try {
            // JDK 17 prints a four-line deprecation warning on the process's initial stderr (the Jupyter log)
            System.setSecurityManager(guard);
            return guard;
        } catch (UnsupportedOperationException | SecurityException e) {
            System.err.println("psyche kernel: exit guard not installed (" + e.getMessage()
                    + "): System.exit in a cell will end the kernel; Jupyter will report it and restart it");
            return null;
        }
    }

    /** The status of an exit refused since the last call, or null. */
    Integer takeRefused() {
        return refused.getAndSet(null);
    }

    @Override
    public void checkExit(int status) {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        if (g != null && guarded.parentOf(g)) {
            refused.set(status);
            throw new ExitRefused(status);
        }
    }

    @Override
    public void checkPermission(Permission perm) {
        // everything else is allowed
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
        // everything else is allowed
    }
}
