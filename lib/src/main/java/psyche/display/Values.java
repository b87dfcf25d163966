package psyche.display;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Values described for people: records as {@code Name(field=value, …)} with {@code Optional}s unwrapped
 * ({@code none} when empty, never {@code Optional[1.0]}), numbers by the {@link Numbers} policy (a field named like a
 * learning rate in scientific notation).
 */
public final class Values {
    private Values() {}

    /** {@code value} as one line. */
    public static String describe(Object value) {
        return describe(value, "");
    }

    /** {@code value}, formatting a bare number as a field named {@code name} would be. */
    public static String describe(Object value, String name) {
        if (value == null) return "none";
        if (value instanceof Optional<?> o) return o.map(v -> describe(v, name)).orElse("none");
        if (value instanceof OptionalLong o) return o.isPresent() ? Numbers.count(o.getAsLong()) : "none";
        if (value instanceof OptionalInt o) return o.isPresent() ? Numbers.count(o.getAsInt()) : "none";
        if (value instanceof OptionalDouble o) return o.isPresent() ? describe(o.getAsDouble(), name) : "none";
        if (value instanceof Double d) return Numbers.forColumn(snake(name)).apply(d);
        if (value instanceof Float f) return Numbers.forColumn(snake(name)).apply(Double.parseDouble(Float.toString(f)));
        if (value instanceof Long l) return snake(name).contains("seed") ? Numbers.unsignedPlain(l) : Numbers.count(l);
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) return Numbers.count(((Number) value).longValue());
        if (value instanceof Record r) {
            RecordComponent[] parts = r.getClass().getRecordComponents();
            if (parts.length == 0) return r.getClass().getSimpleName();
            StringBuilder out = new StringBuilder(r.getClass().getSimpleName()).append('(');
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) out.append(", ");
                out.append(parts[i].getName()).append('=').append(describe(read(r, parts[i]), parts[i].getName()));
            }
            return out.append(')').toString();
        }
        if (value instanceof Collection<?> c) return c.stream().map(Values::describe).collect(Collectors.joining(", ", "[", "]"));
        if (value instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> describe(e.getKey()) + "=" + describe(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return String.valueOf(value);
    }

    /** The value of one record component (null where it cannot be read). */
    public static Object read(Record r, RecordComponent c) {
        try {
            c.getAccessor().setAccessible(true);
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }

    /** camelCase → snake_case, so record fields match the column rules ({@code baseLr} → {@code base_lr}). */
    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
