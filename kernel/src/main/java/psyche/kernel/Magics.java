package psyche.kernel;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The kernel's magics, one class each, all registered here ({@link #ALL}): {@code %lsmagic} and {@code %help} list
 * them, completion offers them, and a magic's failure is one line ({@link MagicError}), never kernel frames.
 */
final class Magics {
    private Magics() {}

    /** What a magic works with: the kernel, the cell it sits in, the execution count. */
    record Context(PsycheKernel kernel, CellSource cell, int executionCount) {}

    /** One magic. {@code %name} on a line, or {@code %%name} on a cell's first line when {@link #cell()}. */
    abstract static class Magic {
        abstract String name();

        boolean cell() { return false; }

        /** How to call it, e.g. {@code %maven group:artifact:version [...]}. */
        abstract String usage();

        /** What it does, one line. */
        abstract String help();

        /** Runs it; {@code rest} is the line after the name, {@code body} the cell body (cell magics). */
        abstract Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset);

        /** The magic as typed: {@code %name} or {@code %%name}. */
        final String typed() { return (cell() ? "%%" : "%") + name(); }
    }

    static final List<Magic> ALL = List.of(new LsMagic(), new Help(), new Time(), new TimeCell(), new Classpath(), new Jars(),
            new Maven(), new MavenRepo(), new LoadFromPom(), new Load());

    static Optional<Magic> find(String name, boolean cell) {
        return ALL.stream().filter(m -> m.name().equals(name) && m.cell() == cell).findFirst();
    }

    /** The names as typed, for completion. */
    static List<String> typedNames() {
        return ALL.stream().map(Magic::typed).toList();
    }

    /** A magic failed or was called wrongly: one line, no stack. */
    static final class MagicError extends KernelException {
        MagicError(String message) {
            super(message);
        }

        @Override
        public List<String> traceback() {
            return List.of("MagicError: " + getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    static final class LsMagic extends Magic {
        String name() { return "lsmagic"; }
        String usage() { return "%lsmagic"; }
        String help() { return "lists the line and cell magics"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            System.out.println("Line magics: " + ALL.stream().filter(m -> !m.cell()).map(Magic::typed).collect(Collectors.joining("  ")));
            System.out.println("Cell magics: " + ALL.stream().filter(Magic::cell).map(Magic::typed).collect(Collectors.joining("  ")));
            System.out.println("%help NAME explains one; Shift-Tab on a name shows its Javadoc.");
            return null;
        }
    }

    static final class Help extends Magic {
        String name() { return "help"; }
        String usage() { return "%help [MAGIC]"; }
        String help() { return "explains the magics (or one of them) and where to find more"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            if (!args.isEmpty()) {
                String wanted = args.get(0).replaceFirst("^%%?", "");
                List<Magic> found = ALL.stream().filter(m -> m.name().equals(wanted)).toList();
                if (found.isEmpty()) throw new MagicError("%help: no magic named '" + args.get(0) + "'; %lsmagic lists them");
                found.forEach(m -> System.out.println(m.usage() + "\n    " + m.help()));
                return null;
            }
            int width = ALL.stream().mapToInt(m -> m.usage().length()).max().orElse(0);
            System.out.println("Psyche kernel: Java (JShell) cells with the psyche library, Tablesaw and XChart imported.");
            System.out.println("Magics (a line starting with %, or %% on a cell's first line):");
            for (Magic m : ALL) System.out.println("  " + m.usage() + " ".repeat(width - m.usage().length() + 2) + m.help());
            System.out.println("Shift-Tab on a name shows its signature and Javadoc; Tab completes. README.md: notebooks and examples.");
            return null;
        }
    }

    static final class Time extends Magic {
        String name() { return "time"; }
        String usage() { return "%time STATEMENT"; }
        String help() { return "runs the rest of the line and prints its wall time"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            return timed(() -> ctx.kernel().evaluate(ctx.cell(), new CellSource.Code(rest, bodyOffset), ctx.executionCount()));
        }
    }

    static final class TimeCell extends Magic {
        String name() { return "time"; }
        boolean cell() { return true; }
        String usage() { return "%%time"; }
        String help() { return "runs the cell and prints its wall time"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            return timed(() -> ctx.kernel().evaluate(ctx.cell(), new CellSource.Code(body, bodyOffset), ctx.executionCount()));
        }
    }

    private static Object timed(java.util.function.Supplier<Object> body) {
        long start = System.nanoTime();
        try {
            return body.get();
        } finally {
            System.out.printf(Locale.ROOT, "Wall time: %.1f ms%n", (System.nanoTime() - start) / 1e6);
        }
    }

    static final class Classpath extends Magic {
        String name() { return "classpath"; }
        String usage() { return "%classpath [PATH|GLOB ...]"; }
        String help() { return "adds jars or class folders (globs like lib/*.jar, ~/jars/**.jar) to the class path; alone, lists it"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            if (args.isEmpty()) {
                System.out.println(String.join("\n", ctx.kernel().classpath()));
                return null;
            }
            List<String> paths = new ArrayList<>();
            for (String arg : args) {
                for (String p : arg.split(java.io.File.pathSeparator)) {
                    List<Path> found = expand(p, false);
                    if (found.isEmpty()) {
                        throw new MagicError("%classpath: " + p + (isGlob(p) ? " matches nothing" : " does not exist")
                                + " (give jar files, class folders or globs such as lib/*.jar)");
                    }
                    found.forEach(f -> paths.add(f.toString()));
                }
            }
            ctx.kernel().addToClasspath(paths);
            System.out.println("added to the class path: " + String.join(", ", paths));
            return null;
        }
    }

    static final class Jars extends Magic {
        String name() { return "jars"; }
        String usage() { return "%jars GLOB|FOLDER ..."; }
        String help() { return "adds the jar files matching globs (lib/*.jar, ~/jars/**.jar) or in folders to the class path"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            if (args.isEmpty()) throw new MagicError("usage: " + usage());
            List<String> jars = new ArrayList<>();
            for (String arg : args) {
                List<Path> found = expand(arg, true);
                if (found.isEmpty()) throw new MagicError("%jars: no jar file matches " + arg);
                found.forEach(f -> jars.add(f.toString()));
            }
            ctx.kernel().addToClasspath(jars);
            System.out.println("added " + jars.size() + " jar(s) to the class path" + jars.stream().map(j -> "\n  " + j).collect(Collectors.joining()));
            return null;
        }
    }

    static final class Maven extends Magic {
        String name() { return "maven"; }
        String usage() { return "%maven GROUP:ARTIFACT:VERSION [...]"; }
        String help() { return "resolves artifacts and their runtime dependencies (~/.m2 first, then the repositories) onto the class path"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            if (args.isEmpty()) throw new MagicError("usage: " + usage());
            for (String coordinates : args) addResolved(ctx, coordinates, ctx.kernel().maven().resolve(coordinates));
            return null;
        }
    }

    private static void addResolved(Context ctx, String what, List<Path> resolved) {
        List<String> jars = resolved.stream().map(Path::toString).collect(Collectors.toList());
        ctx.kernel().addToClasspath(jars);
        System.out.println(what + ": added " + jars.size() + " jar(s) to the class path"
                + jars.stream().map(j -> "\n  " + j).collect(Collectors.joining()));
    }

    static final class MavenRepo extends Magic {
        String name() { return "mavenRepo"; }
        String usage() { return "%mavenRepo ID URL"; }
        String help() { return "adds a Maven repository that %maven and %%loadFromPOM search after ~/.m2"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            if (args.size() != 2) throw new MagicError("usage: " + usage() + ", e.g. %mavenRepo jitpack https://jitpack.io");
            ctx.kernel().maven().addRepository(args.get(0), args.get(1));
            System.out.println("Maven repository " + args.get(0) + " added: " + args.get(1));
            return null;
        }
    }

    static final class LoadFromPom extends Magic {
        String name() { return "loadFromPOM"; }
        boolean cell() { return true; }
        String usage() { return "%%loadFromPOM"; }
        String help() { return "the cell is a pom.xml, or its <dependencies>/<dependency> part: resolves them onto the class path"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            PomDependencies pom = PomDependencies.parse(body);
            pom.repositories().forEach((id, url) -> ctx.kernel().maven().addRepository(id, url));
            if (pom.coordinates().isEmpty()) throw new MagicError("%%loadFromPOM: the cell has no <dependency> (scope test and provided are skipped)");
            for (String c : pom.coordinates()) addResolved(ctx, c, ctx.kernel().maven().resolve(c));
            return null;
        }
    }

    static final class Load extends Magic {
        String name() { return "load"; }
        String usage() { return "%load FILE"; }
        String help() { return "runs a file of Java snippets (.jsh/.java) as if it were the cell; errors name its lines"; }

        Object run(Context ctx, List<String> args, String rest, String body, int bodyOffset) {
            if (args.size() != 1) throw new MagicError("usage: " + usage());
            Path file = home(args.get(0));
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new MagicError("%load: cannot read " + file.toAbsolutePath() + " (" + e.getClass().getSimpleName() + ")");
            }
            CellSource loaded = CellSource.parse(text);
            Object value = null;
            for (CellSource.Part part : loaded.parts()) {
                if (part instanceof CellSource.Code c) value = ctx.kernel().evaluate(loaded, c, ctx.executionCount());
                else throw new MagicError("%load: " + file + " contains a magic; only Java snippets can be loaded");
            }
            return value;
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    static boolean isGlob(String p) {
        return p.contains("*") || p.contains("?") || p.contains("[") || p.contains("{");
    }

    /** {@code ~/x} with {@code $HOME} (not Java's user.home, which ignores a changed HOME). */
    static Path home(String p) {
        return psyche.UserHome.expand(p);
    }

    /**
     * The files a path or glob names, sorted: a plain path that exists (a folder: with {@code jarsOnly}, the jars in
     * it), or every file matching a glob ({@code *} within a folder, {@code **} across folders).
     */
    static List<Path> expand(String pattern, boolean jarsOnly) {
        Path plain = home(pattern);
        if (!isGlob(pattern)) {
            if (!Files.exists(plain)) return List.of();
            if (jarsOnly && Files.isDirectory(plain)) {
                try (Stream<Path> s = Files.list(plain)) {
                    return s.filter(f -> f.toString().endsWith(".jar")).map(Path::toAbsolutePath).sorted().toList();
                } catch (IOException e) {
                    return List.of();
                }
            }
            return List.of(plain.toAbsolutePath());
        }
        String abs = plain.isAbsolute() ? plain.toString() : Path.of("").toAbsolutePath().resolve(pattern).toString();
        int firstGlob = firstGlobChar(abs);
        Path base = Path.of(abs.substring(0, abs.lastIndexOf('/', firstGlob) + 1));
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + abs);
        if (!Files.isDirectory(base)) return List.of();
        try (Stream<Path> s = Files.walk(base, abs.contains("**") ? Integer.MAX_VALUE : depth(abs.substring(base.toString().length())))) {
            return s.filter(matcher::matches).filter(f -> !jarsOnly || f.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new MagicError("cannot list " + base + " for " + pattern + ": " + e.getMessage());
        }
    }

    private static int firstGlobChar(String s) {
        int i = 0;
        while (i < s.length() && "*?[{".indexOf(s.charAt(i)) < 0) i++;
        return i;
    }

    private static int depth(String rest) {
        return (int) rest.chars().filter(c -> c == '/').count() + 1;
    }
}
