package psyche.kernel;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;

import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Javadoc of psyche classes and members for Shift-Tab: JShell finds Javadoc only in the JDK's src.zip, so the
 * kernel carries the library's sources ({@code psyche-src/} on its class path) and reads the comment above the
 * declaration that JShell's signature names, e.g. {@code Table psyche.Run.summary()}.
 */
final class JavadocLookup {
    private static final Pattern METHOD = Pattern.compile("^(?:.*\\s)?((?:[a-z_][\\w]*\\.)*)([A-Z][\\w.]*?)\\.(\\w+)\\((.*)\\)(?: throws .*)?$");
    private static final Pattern TYPE = Pattern.compile("^((?:[a-z_][\\w]*\\.)*)([A-Z][\\w.]*)(?:<.*>)?$");
    private static final Pattern CONSTRUCTOR = Pattern.compile("^(?:<.*> )?((?:[a-z_][\\w]*\\.)*)([A-Z][\\w.]*)\\((.*)\\)(?: throws .*)?$");

    private final ClassLoader loader;
    private final List<String> importedPackages;
    private final Map<String, String> sources = new ConcurrentHashMap<>();

    /** {@code imports}: the cells' on-demand imports ({@code import psyche.display.*;}), to resolve JShell's simple names. */
    JavadocLookup(ClassLoader loader, List<String> imports) {
        this.loader = loader;
        this.importedPackages = imports.stream().filter(i -> i.startsWith("import psyche.") && i.endsWith(".*;"))
                .map(i -> i.substring("import ".length(), i.length() - 2)).toList();
    }

    /** The cleaned Javadoc for a JShell signature, or null when it is not a psyche declaration or has none. */
    String javadoc(String signature) {
        String sig = signature.strip();
        Matcher m = METHOD.matcher(sig);
        if (m.matches() && !Character.isUpperCase(m.group(3).charAt(0))) {
            return member(m.group(1), m.group(2), m.group(3), params(m.group(4)));
        }
        Matcher c = CONSTRUCTOR.matcher(sig);
        if (c.matches()) {
            String[] types = c.group(2).split("\\.");
            return member(c.group(1), c.group(2), types[types.length - 1], params(c.group(3)));
        }
        Matcher t = TYPE.matcher(sig);
        if (t.matches()) return member(t.group(1), t.group(2), null, -1);
        return null;
    }

    private static int params(String list) {
        if (list.isBlank()) return 0;
        int depth = 0;
        int n = 1;
        for (char ch : list.toCharArray()) {
            if (ch == '<') depth++;
            else if (ch == '>') depth--;
            else if (ch == ',' && depth == 0) n++;
        }
        return n;
    }

    /** {@code name} null: the type's own comment; else the member (method or constructor with {@code arity} parameters, or field). */
    private String member(String pkg, String typePath, String name, int arity) {
        String[] nested = typePath.split("\\.");
        String source = null;
        if (pkg.isEmpty()) { // JShell names imported types simply
            for (String p : importedPackages) {
                source = source(p.replace('.', '/') + nested[0] + ".java");
                if (source != null) break;
            }
        } else if (pkg.startsWith("psyche.")) {
            source = source(pkg.replace('.', '/') + nested[0] + ".java");
        }
        if (source == null) return null;
        CompilationUnitTree unit = parse(source);
        if (unit == null) return null;
        SourcePositions positions = Trees.instance(TASK.get()).getSourcePositions();
        long[] found = {-1};
        new TreeScanner<Void, Integer>() {
            @Override
            public Void visitClass(ClassTree node, Integer depth) {
                if (found[0] >= 0 || depth >= nested.length || !node.getSimpleName().contentEquals(nested[depth])) return null;
                if (depth == nested.length - 1) {
                    if (name == null) {
                        found[0] = positions.getStartPosition(unit, node);
                        return null;
                    }
                    for (Tree member : node.getMembers()) {
                        if (member instanceof MethodTree mt && (mt.getName().contentEquals(name)
                                || (mt.getName().contentEquals("<init>") && name.equals(nested[depth])))
                                && (arity < 0 || mt.getParameters().size() == arity)) {
                            found[0] = positions.getStartPosition(unit, mt);
                            return null;
                        }
                        if (member instanceof VariableTree vt && vt.getName().contentEquals(name) && arity <= 0) {
                            found[0] = positions.getStartPosition(unit, vt);
                            return null;
                        }
                    }
                    return null;
                }
                for (Tree member : node.getMembers()) member.accept(this, depth + 1);
                return null;
            }
        }.scan(unit, 0);
        return found[0] < 0 ? null : commentBefore(source, (int) found[0]);
    }

    private String source(String path) {
        return sources.computeIfAbsent(path, p -> {
            try (InputStream in = loader.getResourceAsStream("psyche-src/" + p)) {
                return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }).transform(s -> s.isEmpty() ? null : s);
    }

    private static final ThreadLocal<JavacTask> TASK = new ThreadLocal<>();

    private static CompilationUnitTree parse(String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) return null;
        SimpleJavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Source.java"), SimpleJavaFileObject.Kind.SOURCE) {
            @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return source; }
        };
        JavacTask task = (JavacTask) javac.getTask(null, null, d -> { }, List.of("-proc:none"), null, List.of(file));
        TASK.set(task);
        try {
            for (CompilationUnitTree unit : task.parse()) return unit;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The Javadoc comment ending right before {@code declarationStart} (annotations are part of the declaration), cleaned. */
    static String commentBefore(String source, int declarationStart) {
        int end = declarationStart;
        while (end > 0 && Character.isWhitespace(source.charAt(end - 1))) end--;
        if (end < 2 || !source.startsWith("*/", end - 2)) return null;
        int start = source.lastIndexOf("/**", end - 2);
        if (start < 0) return null;
        return clean(source.substring(start + 3, end - 2));
    }

    /** Comment text as plain text: leading stars gone, {@code {@code x}} and {@code {@link A#b}} as their text, tags kept. */
    static String clean(String comment) {
        StringBuilder out = new StringBuilder();
        for (String line : comment.split("\n")) {
            String l = line.strip();
            if (l.startsWith("*")) l = l.substring(1).strip();
            out.append(l).append('\n');
        }
        String text = out.toString().strip();
        text = text.replaceAll("\\{@(?:code|literal) ([^{}]*(?:\\{[^{}]*}[^{}]*)*)}", "$1");
        text = text.replaceAll("\\{@(?:link|linkplain) (?:[\\w.]*#)?([^}\\s]+)(?: ([^}]*))?}", "$1");
        text = text.replaceAll("\\{@value (?:[\\w.]*#)?([^}]+)}", "$1");
        text = text.replaceAll("</?(?:p|ul|ol|li|b|i|em|strong|pre|br)\\s*/?>", "");
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        return text.replaceAll("\n{3,}", "\n\n");
    }
}
