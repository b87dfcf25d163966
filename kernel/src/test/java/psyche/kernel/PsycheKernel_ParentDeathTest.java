package psyche.kernel;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A kernel whose parent dies (its Jupyter client killed) exits instead of running on. */
class PsycheKernel_ParentDeathTest {
    @Test
    void theKernelExitsWhenItsParentIsKilled() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "parent-death-test"));
        StringBuilder conn = new StringBuilder("{\"transport\":\"tcp\",\"ip\":\"127.0.0.1\",\"signature_scheme\":\"hmac-sha256\",\"key\":\"")
                .append(UUID.randomUUID()).append('"');
        for (String name : new String[]{"shell_port", "control_port", "iopub_port", "stdin_port", "hb_port"}) {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                conn.append(",\"").append(name).append("\":").append(s.getLocalPort());
            }
        }
        Path connFile = dir.resolve("connection.json");
        Files.writeString(connFile, conn.append('}').toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the parent: a shell that starts the kernel in the background, says its pid and waits
        String script = "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' psyche.kernel.PsycheKernel '"
                + connFile.toAbsolutePath() + "' > '" + dir.toAbsolutePath().resolve("kernel.log") + "' 2>&1 & echo $!; sleep 300";
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
        pb.environment().remove("JPY_PARENT_PID");
        Process parent = pb.start();
        Optional<ProcessHandle> kernel;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            kernel = ProcessHandle.of(Long.parseLong(out.readLine().strip()));
        }
        try {
            assertTrue(kernel.isPresent() && kernel.get().isAlive(), "kernel started");
            Thread.sleep(3_000); // past the kernel's start, where it begins watching its parent
            assertTrue(kernel.get().isAlive(), "the kernel runs while its parent does");
            parent.destroyForcibly().waitFor();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (kernel.get().isAlive() && System.nanoTime() < deadline) Thread.sleep(100);
            assertFalse(kernel.get().isAlive(), "the kernel outlived its parent by 30 s");
            assertTrue(Files.readString(dir.resolve("kernel.log")).contains("parent process"), "says why it exits");
        } finally {
            kernel.ifPresent(ProcessHandle::destroyForcibly);
            parent.destroyForcibly();
        }
    }
}
