package psyche.kernel;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps a cell from killing the kernel with {@code System.exit} / {@code Runtime.exit} / {@code Runtime.halt}, with
 * no Security Manager (deprecated for removal; installing one prints JDK warnings on every start): the bytecode of
 * every snippet class is rewritten as JShell loads it, so those calls land in {@link #exit} instead, which refuses
 * and remembers the status. Library code on the kernel's own class path is not rewritten (nothing there exits but
 * {@code RunManager.main}; cells call {@code RunManager.execute}, which returns the exit code).
 */
public final class ExitGuard {
    /** Thrown into the cell in place of exiting; carries the requested status. */
    public static final class ExitRefused extends SecurityException {
        final int status;

        ExitRefused(int status) {
            super("System.exit(" + status + ") refused by the Psyche kernel");
            this.status = status;
        }
    }

    private static final String SELF = ExitGuard.class.getName().replace('.', '/');
    /** The last refused status, kept even when the cell swallows {@link ExitRefused}. */
    private static final AtomicReference<Integer> REFUSED = new AtomicReference<>();

    private ExitGuard() {}

    /** Called by rewritten cell code instead of {@code System.exit(status)}. */
    public static void exit(int status) {
        REFUSED.set(status);
        throw new ExitRefused(status);
    }

    /** Called by rewritten cell code instead of {@code runtime.exit(status)} and {@code runtime.halt(status)}. */
    public static void exit(Runtime runtime, int status) {
        exit(status);
    }

    /** The status of an exit refused since the last call, or null. */
    static Integer takeRefused() {
        return REFUSED.getAndSet(null);
    }

    /** {@code classBytes} with every exit call sent to {@link #exit}; the bytes unchanged when there is none. */
    static byte[] rewrite(byte[] classBytes) {
        ClassReader reader = new ClassReader(classBytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] changed = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature, exceptions)) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean isInterface) {
                        if (opcode == Opcodes.INVOKESTATIC && owner.equals("java/lang/System") && method.equals("exit") && desc.equals("(I)V")) {
                            changed[0] = true;
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, SELF, "exit", "(I)V", false);
                        } else if (opcode == Opcodes.INVOKEVIRTUAL && owner.equals("java/lang/Runtime")
                                && (method.equals("exit") || method.equals("halt")) && desc.equals("(I)V")) {
                            changed[0] = true;
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, SELF, "exit", "(Ljava/lang/Runtime;I)V", false);
                        } else {
                            super.visitMethodInsn(opcode, owner, method, desc, isInterface);
                        }
                    }
                };
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : classBytes;
    }
}
