package psyche.config;

import java.util.ArrayList;
import java.util.List;

/** Every violation found in a config, errors first; valid when there is no error (warnings allowed). */
public record ValidationReport(List<Violation> violations) {
    public ValidationReport {
        List<Violation> sorted = new ArrayList<>(violations);
        // errors before warnings, otherwise in discovery order (stable sort)
        sorted.sort((a, b) -> a.severity().compareTo(b.severity()));
        violations = List.copyOf(sorted);
    }

    public static ValidationReport of(List<Violation> violations) { return new ValidationReport(violations); }

    public List<Violation> errors() { return violations.stream().filter(Violation::isError).toList(); }

    public List<Violation> warnings() { return violations.stream().filter(v -> !v.isError()).toList(); }

    public boolean isValid() { return violations.stream().noneMatch(Violation::isError); }

    /** This report plus {@code other}'s violations. */
    public ValidationReport plus(List<Violation> other) {
        List<Violation> all = new ArrayList<>(violations);
        all.addAll(other);
        return new ValidationReport(all);
    }

    /** A readable list: one block per violation, then a count line. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (Violation v : violations) out.append(v.render()).append('\n');
        int e = errors().size(), w = warnings().size();
        if (violations.isEmpty()) out.append("no problems found\n");
        else out.append(e).append(e == 1 ? " error, " : " errors, ").append(w).append(w == 1 ? " warning" : " warnings")
                .append('\n');
        return out.toString();
    }

    @Override public String toString() { return render(); }
}
