package psyche.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The notebook vocabulary imported when a kernel or {@code bin/psyche-shell} starts. On-demand imports of packages
 * that have no classes on this class path are left out (javac rejects them), so the list can name packages that
 * other modules will add later.
 */
public final class StartupImports {
    static final List<String> WANTED = List.of(
            "import java.util.*;",
            "import java.util.function.*;",
            "import java.util.stream.*;",
            "import java.util.concurrent.*;",
            "import java.io.*;",
            "import java.math.*;",
            "import java.net.*;",
            "import java.nio.file.*;",
            "import java.time.*;",
            "import psyche.*;",
            "import psyche.config.*;",
            "import psyche.coordinator.*;",
            "import psyche.frames.*;",
            "import psyche.charts.*;",
            "import psyche.history.*;",
            "import psyche.diagnose.*;",
            "import psyche.monitor.*;",
            "import psyche.display.*;",
            "import psyche.sim.*;",
            "import psyche.train.*;",
            "import psyche.reports.*;",
            "import tech.tablesaw.api.*;",
            "import org.knowm.xchart.*;",
            "import static psyche.kernel.Notebook.*;");

    private StartupImports() {}

    /** The wanted imports whose packages exist on {@code classpath} (JDK packages always do). */
    public static List<String> available(String classpath) {
        Set<String> packages = packagesOn(classpath);
        List<String> out = new ArrayList<>();
        for (String imp : WANTED) {
            String name = imp.replace("import static ", "").replace("import ", "").replace(";", "").strip();
            String pkg = imp.startsWith("import static") ? name.substring(0, name.lastIndexOf('.', name.length() - 3))
                    : name.substring(0, name.length() - 2);
            if (pkg.startsWith("java.") || packages.contains(pkg)) out.add(imp);
        }
        return out;
    }

    /** Prints the imports for JShell's {@code --startup}: {@code java psyche.kernel.StartupImports > psyche.jsh}. */
    public static void main(String[] args) {
        available(System.getProperty("java.class.path")).forEach(System.out::println);
    }

    private static Set<String> packagesOn(String classpath) {
        Set<String> packages = new HashSet<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isBlank()) continue;
            Path path = Path.of(entry);
            try {
                if (Files.isDirectory(path)) {
                    try (Stream<Path> files = Files.walk(path)) {
                        files.filter(f -> f.toString().endsWith(".class")).forEach(f -> packages.add(
                                path.relativize(f.getParent() == null ? path : f.getParent()).toString().replace(File.separatorChar, '.')));
                    }
                } else if (Files.isRegularFile(path)) {
                    try (JarFile jar = new JarFile(path.toFile())) {
                        jar.stream().map(e -> e.getName())
                                .filter(n -> n.endsWith(".class") && n.lastIndexOf('/') > 0)
                                .forEach(n -> packages.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.')));
                    }
                }
            } catch (IOException e) {
                System.err.println("psyche kernel: skipping unreadable class path entry " + entry + ": " + e.getMessage());
            }
        }
        return packages;
    }
}
