/**
 * The Jupyter kernel: Java cells evaluated by JShell on top of {@code org.dflib.jjava:jjava-jupyter}, with the
 * library, Tablesaw and XChart preloaded, renderers for tables, charts, images and status cards, and magics
 * ({@code %classpath}, {@code %time}, {@code %%time}, {@code %maven}).
 *
 * <p>Execution engine: cells run in the kernel's own JVM (JShell local execution) on a dedicated thread group.
 * That keeps {@code display(obj)} and every renderer working on live objects; interrupt stops the group
 * ({@code Thread.interrupt}, then {@code ThreadGroup.stop} on JDK 17) and {@code System.exit} is refused by an
 * exit guard, so the evaluation state survives both.
 */
package psyche.kernel;
