package psyche.reports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Papermill's parameters convention for Java notebooks: the cell tagged {@code parameters} declares defaults
 * ({@code int steps = 20;}, {@code var topk = List.of(4, 8);}); overrides are checked against the declared types and
 * injected as a cell tagged {@code injected-parameters} right after it, re-declaring each overridden name with a
 * Java literal. Anything wrong (an unknown name, a value of the wrong type, no parameters cell) is a
 * {@link ReportException} before any cell runs.
 */
public final class NotebookParameters {
    public static final String PARAMETERS_TAG = "parameters";
    public static final String INJECTED_TAG = "injected-parameters";

    /** The Java types a parameter can have, from the declaration or the default's literal. */
    public enum Kind { INT, LONG, DOUBLE, FLOAT, BOOLEAN, STRING, LIST }

    /** One declared parameter: its name, Java type (element type for lists) and default's source text. */
    public record Parameter(String name, Kind kind, Kind elementKind, String javaType, String defaultSource) {
        /** The default as a value (numbers, strings, booleans, lists of those). */
        public Object defaultValue() {
            return NotebookParameters.parseLiteral(defaultSource, kind, elementKind, name);
        }
    }

    private static final Pattern DECLARATION = Pattern.compile(
            "^\\s*(?:final\\s+)?([A-Za-z_][\\w.]*(?:\\s*<\\s*[\\w.]+\\s*>)?)\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*(.+?)\\s*;\\s*(?://.*)?$");
    private static final Pattern LIST_TYPE = Pattern.compile("(?:java\\.util\\.)?List\\s*<\\s*([\\w.]+)\\s*>");
    private static final Pattern LIST_LITERAL = Pattern.compile("^(?:java\\.util\\.)?(?:List\\.of|Arrays\\.asList)\\s*\\((.*)\\)$", Pattern.DOTALL);

    private final Map<String, Parameter> declared;

    private NotebookParameters(Map<String, Parameter> declared) {
        this.declared = declared;
    }

    /** The parameters a cell's source declares, in order. Lines that are no simple declaration are not parameters. */
    public static NotebookParameters parse(String cellSource) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (String line : cellSource.split("\n")) {
            Matcher m = DECLARATION.matcher(line);
            if (!m.matches()) continue;
            String type = m.group(1).replaceAll("\\s+", "");
            String name = m.group(2);
            String literal = m.group(3).strip();
            Kind kind;
            Kind element = null;
            Matcher lt = LIST_TYPE.matcher(type);
            if (type.equals("var")) {
                kind = inferKind(literal);
                if (kind == null) continue; // var x = someCall(): not a parameter
                if (kind == Kind.LIST) element = inferElementKind(literal);
            } else if (lt.matches()) {
                kind = Kind.LIST;
                element = boxedKind(lt.group(1));
                if (element == null) continue;
            } else {
                kind = primitiveKind(type);
                if (kind == null) continue;
            }
            if (kind == Kind.LIST && element == null) continue;
            String javaType = kind == Kind.LIST ? "java.util.List<" + boxedName(element) + ">" : javaName(kind);
            Parameter p = new Parameter(name, kind, element, javaType, literal);
            try {
                p.defaultValue();
            } catch (ReportException e) {
                continue; // a default that is an expression (e.g. 2 * 60): declared, but not a literal we can type
            }
            out.put(name, p);
        }
        return new NotebookParameters(out);
    }

    /** The notebook's {@code parameters} cell, parsed; empty when it has none. */
    public static NotebookParameters of(ObjectNode notebook) {
        ObjectNode cell = NotebookJson.cellTagged(notebook, PARAMETERS_TAG);
        return cell == null ? new NotebookParameters(Map.of()) : parse(NotebookJson.source(cell));
    }

    public Map<String, Parameter> declared() {
        return java.util.Collections.unmodifiableMap(declared);
    }

    /** The defaults as values, in declaration order. */
    public Map<String, Object> defaults() {
        Map<String, Object> out = new LinkedHashMap<>();
        declared.forEach((k, p) -> out.put(k, p.defaultValue()));
        return out;
    }

    /**
     * Checks overrides against the declarations and converts them to the declared types. A value from the command
     * line ({@code -p name value}) comes as a {@link String} and is read as YAML (papermill's rule: {@code 8} is a
     * number, {@code [4, 8]} a list), except for String parameters, which take the text as it is.
     */
    public Map<String, Object> resolve(Map<String, Object> overrides) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            Parameter p = declared.get(e.getKey());
            if (p == null) {
                problems.add("unknown parameter '" + e.getKey() + "'" + suggestion(e.getKey()));
                continue;
            }
            try {
                out.put(p.name(), convert(p, e.getValue()));
            } catch (ReportException ex) {
                problems.add(ex.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ReportException(String.join("\n", problems) + "\nthe notebook's parameters cell declares: "
                    + describeDeclared() + "\nnothing was run; fix the -p / --parameters-file values and run again");
        }
        return out;
    }

    /** Every parameter with its final value: defaults overlaid with the resolved overrides. */
    public Map<String, Object> effective(Map<String, Object> resolved) {
        Map<String, Object> out = defaults();
        out.putAll(resolved);
        return out;
    }

    /** The injected cell's Java source: one re-declaration per override, in the order of the parameters cell. */
    public String injectedSource(Map<String, Object> resolved) {
        StringBuilder sb = new StringBuilder("// Injected parameters (bin/psyche-notebook -p / --parameters-file)\n");
        for (Parameter p : declared.values()) {
            if (!resolved.containsKey(p.name())) continue;
            sb.append(p.javaType()).append(' ').append(p.name()).append(" = ")
                    .append(javaLiteral(resolved.get(p.name()), p.kind(), p.elementKind())).append(";\n");
        }
        return sb.toString().stripTrailing();
    }

    /**
     * Puts the injected-parameters cell right after the parameters cell (replacing an earlier injection) and the
     * effective parameters into the notebook's metadata ({@code psyche.parameters}). A notebook without a
     * parameters cell accepts no overrides.
     */
    public static Map<String, Object> inject(ObjectNode notebook, Map<String, Object> overrides) {
        ObjectNode paramsCell = NotebookJson.cellTagged(notebook, PARAMETERS_TAG);
        if (paramsCell == null && !overrides.isEmpty()) {
            throw new ReportException("the notebook has no cell tagged '" + PARAMETERS_TAG + "', so it takes no parameters "
                    + "(given: " + String.join(", ", overrides.keySet()) + "); tag the cell that declares the defaults "
                    + "'parameters' (Jupyter: View > Cell Toolbar > Tags) and run again");
        }
        NotebookParameters params = of(notebook);
        Map<String, Object> resolved = params.resolve(overrides);
        ArrayNode cells = (ArrayNode) notebook.get("cells");
        for (int i = cells.size() - 1; i >= 0; i--) {
            if (NotebookJson.hasTag((ObjectNode) cells.get(i), INJECTED_TAG)) cells.remove(i);
        }
        if (!resolved.isEmpty()) {
            int at = NotebookJson.indexOf(notebook, paramsCell) + 1;
            NotebookJson.insert(notebook, at, NotebookJson.codeCell(params.injectedSource(resolved), INJECTED_TAG), INJECTED_TAG);
        }
        Map<String, Object> effective = params.effective(resolved);
        ObjectNode meta = NotebookJson.psycheMetadata(notebook);
        meta.set("parameters", NotebookJson.MAPPER.valueToTree(effective));
        return effective;
    }

    /** Reads a papermill parameters file: a YAML or JSON mapping from names to values. */
    public static Map<String, Object> readFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ReportException("cannot read the parameters file " + file + ": " + e.getMessage(), e);
        }
        Object loaded;
        try {
            loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (RuntimeException e) {
            throw new ReportException("the parameters file " + file + " is not valid YAML or JSON: " + e.getMessage(), e);
        }
        if (loaded == null) return Map.of();
        if (!(loaded instanceof Map<?, ?> map)) {
            throw new ReportException("the parameters file " + file + " must hold a mapping of names to values "
                    + "(e.g. {\"steps\": 20}), not " + loaded.getClass().getSimpleName());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    // ---- conversion ----

    private Object convert(Parameter p, Object value) {
        if (value instanceof String s && p.kind() != Kind.STRING) value = yamlScalar(s);
        if (p.kind() == Kind.LIST) {
            if (!(value instanceof List<?> list)) {
                throw mistyped(p, value, "a list, e.g. [4, 8]");
            }
            List<Object> out = new ArrayList<>();
            for (Object element : list) {
                Object el = element instanceof String s && p.elementKind() != Kind.STRING ? yamlScalar(s) : element;
                out.add(convertScalar(p, p.elementKind(), el));
            }
            return List.copyOf(out);
        }
        return convertScalar(p, p.kind(), value);
    }

    private static Object convertScalar(Parameter p, Kind kind, Object v) {
        switch (kind) {
            case STRING -> {
                if (v instanceof Map || v instanceof List || v == null) throw mistyped(p, v, "a string");
                return String.valueOf(v);
            }
            case BOOLEAN -> {
                if (v instanceof Boolean b) return b;
                throw mistyped(p, v, "true or false");
            }
            case INT, LONG -> {
                long l;
                if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                    l = ((Number) v).longValue();
                } else if (v instanceof java.math.BigInteger big && big.bitLength() < 64) {
                    l = big.longValue();
                } else {
                    throw mistyped(p, v, kind == Kind.INT ? "a whole number (int)" : "a whole number (long)");
                }
                if (kind == Kind.INT) {
                    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw mistyped(p, v, "an int (at most 2147483647)");
                    return (int) l;
                }
                return l;
            }
            case DOUBLE, FLOAT -> {
                if (!(v instanceof Number n)) throw mistyped(p, v, "a number");
                return kind == Kind.FLOAT ? (Object) n.floatValue() : (Object) n.doubleValue();
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    private static ReportException mistyped(Parameter p, Object v, String expected) {
        String shown = v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
        return new ReportException("parameter '" + p.name() + "' is " + p.javaType().replace("java.util.", "")
                + " (default " + p.defaultSource() + "): got " + shown + ", expected " + expected);
    }

    private static Object yamlScalar(String s) {
        try {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(s);
            return o == null ? s : o;
        } catch (RuntimeException e) {
            return s;
        }
    }

    private String suggestion(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : declared.keySet()) {
            int d = levenshtein(name.toLowerCase(), known.toLowerCase());
            if (d < bestDistance) { bestDistance = d; best = known; }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    private String describeDeclared() {
        if (declared.isEmpty()) return "(nothing)";
        List<String> parts = new ArrayList<>();
        for (Parameter p : declared.values()) parts.add(p.javaType().replace("java.util.", "") + " " + p.name() + " = " + p.defaultSource());
        return String.join("; ", parts);
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    // ---- Java literals ----

    private static Kind primitiveKind(String type) {
        return switch (type) {
            case "int", "Integer" -> Kind.INT;
            case "long", "Long" -> Kind.LONG;
            case "double", "Double" -> Kind.DOUBLE;
            case "float", "Float" -> Kind.FLOAT;
            case "boolean", "Boolean" -> Kind.BOOLEAN;
            case "String", "java.lang.String" -> Kind.STRING;
            default -> null;
        };
    }

    private static Kind boxedKind(String type) {
        return switch (type) {
            case "Integer" -> Kind.INT;
            case "Long" -> Kind.LONG;
            case "Double" -> Kind.DOUBLE;
            case "Float" -> Kind.FLOAT;
            case "Boolean" -> Kind.BOOLEAN;
            case "String", "java.lang.String" -> Kind.STRING;
            default -> null;
        };
    }

    private static String javaName(Kind k) {
        return switch (k) {
            case INT -> "int";
            case LONG -> "long";
            case DOUBLE -> "double";
            case FLOAT -> "float";
            case BOOLEAN -> "boolean";
            case STRING -> "String";
            case LIST -> "java.util.List";
        };
    }

    private static String boxedName(Kind k) {
        return switch (k) {
            case INT -> "Integer";
            case LONG -> "Long";
            case DOUBLE -> "Double";
            case FLOAT -> "Float";
            case BOOLEAN -> "Boolean";
            case STRING -> "String";
            case LIST -> throw new ReportException("lists of lists are not supported as parameters");
        };
    }

    private static Kind inferKind(String literal) {
        if (LIST_LITERAL.matcher(literal).matches()) return Kind.LIST;
        return scalarKind(literal);
    }

    private static Kind scalarKind(String literal) {
        if (literal.startsWith("\"") && literal.endsWith("\"") && literal.length() >= 2) return Kind.STRING;
        if (literal.equals("true") || literal.equals("false")) return Kind.BOOLEAN;
        String l = literal.replace("_", "");
        if (l.matches("[-+]?\\d+")) return Kind.INT;
        if (l.matches("[-+]?\\d+[lL]")) return Kind.LONG;
        if (l.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?[fF]")) return Kind.FLOAT;
        if (l.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?[dD]?")) return Kind.DOUBLE;
        return null;
    }

    private static Kind inferElementKind(String literal) {
        Matcher m = LIST_LITERAL.matcher(literal);
        if (!m.matches()) return null;
        List<String> items = splitTopLevel(m.group(1));
        if (items.isEmpty()) return Kind.STRING;
        Kind k = null;
        for (String item : items) {
            Kind ik = scalarKind(item);
            if (ik == null) return null;
            if (k == null) k = ik;
            else if (k != ik) {
                if ((k == Kind.INT || k == Kind.DOUBLE) && (ik == Kind.INT || ik == Kind.DOUBLE)) k = Kind.DOUBLE;
                else return null;
            }
        }
        return k;
    }

    static Object parseLiteral(String literal, Kind kind, Kind element, String name) {
        if (kind == Kind.LIST) {
            Matcher m = LIST_LITERAL.matcher(literal);
            if (!m.matches()) throw new ReportException("parameter '" + name + "': default " + literal + " is not a List.of(...) literal");
            List<Object> out = new ArrayList<>();
            for (String item : splitTopLevel(m.group(1))) out.add(parseLiteral(item, element, null, name));
            return List.copyOf(out);
        }
        Kind actual = scalarKind(literal);
        boolean fits = actual == kind
                || (actual == Kind.INT && (kind == Kind.LONG || kind == Kind.DOUBLE || kind == Kind.FLOAT))
                || (actual == Kind.FLOAT && kind == Kind.DOUBLE);
        if (!fits) {
            throw new ReportException("parameter '" + name + "': default " + literal + " is not a " + javaName(kind) + " literal");
        }
        String l = literal.replace("_", "");
        return switch (kind) {
            case STRING -> unquote(literal);
            case BOOLEAN -> Boolean.parseBoolean(literal);
            case INT -> Integer.parseInt(l);
            case LONG -> Long.parseLong(l.replaceAll("[lL]$", ""));
            case DOUBLE -> Double.parseDouble(l.replaceAll("[fFdD]$", ""));
            case FLOAT -> Float.parseFloat(l.replaceAll("[fF]$", ""));
            case LIST -> throw new IllegalStateException();
        };
    }

    static String javaLiteral(Object v, Kind kind, Kind element) {
        return switch (kind) {
            case LIST -> {
                List<String> parts = new ArrayList<>();
                for (Object o : (List<?>) v) parts.add(javaLiteral(o, element, null));
                yield "java.util.List.of(" + String.join(", ", parts) + ")";
            }
            case STRING -> quote((String) v);
            case BOOLEAN, INT -> String.valueOf(v);
            case LONG -> v + "L";
            case DOUBLE -> {
                double d = ((Number) v).doubleValue();
                yield Double.isNaN(d) ? "Double.NaN" : Double.isInfinite(d) ? (d > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY") : Double.toString(d);
            }
            case FLOAT -> {
                float f = ((Number) v).floatValue();
                yield Float.isNaN(f) ? "Float.NaN" : Float.isInfinite(f) ? (f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY") : f + "f";
            }
        };
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String unquote(String literal) {
        String body = literal.substring(1, literal.length() - 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 == body.length()) { sb.append(c); continue; }
            char n = body.charAt(++i);
            switch (n) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'u' -> { sb.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16)); i += 4; }
                default -> sb.append(n);
            }
        }
        return sb.toString();
    }

    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean inString = false;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                cur.append(c);
                if (c == '\\' && i + 1 < s.length()) cur.append(s.charAt(++i));
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            if (c == '(' || c == '[') depth++;
            if (c == ')' || c == ']') depth--;
            if (c == ',' && depth == 0) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }
}
