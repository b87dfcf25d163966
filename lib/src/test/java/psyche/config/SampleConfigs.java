package psyche.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds {@code notebooks/configs/} whether tests run from the repository root or from {@code lib/}. */
final class SampleConfigs {
    private SampleConfigs() {}

    static Path path(String name) {
        for (Path base : new Path[] {Path.of("notebooks/configs"), Path.of("../notebooks/configs")}) {
            if (Files.isRegularFile(base.resolve(name))) return base.resolve(name);
        }
        throw new IllegalStateException("sample config " + name + " not found from " + Path.of("").toAbsolutePath());
    }
}
