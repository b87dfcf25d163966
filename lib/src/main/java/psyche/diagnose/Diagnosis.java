package psyche.diagnose;

import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.List;
import java.util.Optional;

/** The findings about one run, most serious first. */
public record Diagnosis(String runId, List<Finding> findings) {
    public Diagnosis {
        findings = findings.stream().sorted(java.util.Comparator.comparing(Finding::severity)).toList();
    }

    public boolean healthy() { return findings.stream().noneMatch(f -> f.severity() == Finding.Severity.PROBLEM); }

    public Optional<Finding> find(String code) {
        return findings.stream().filter(f -> f.code().equals(code)).findFirst();
    }

    public Table toTable() {
        StringColumn sev = StringColumn.create("severity");
        StringColumn code = StringColumn.create("code");
        StringColumn summary = StringColumn.create("summary");
        StringColumn evidence = StringColumn.create("evidence");
        StringColumn next = StringColumn.create("next_step");
        for (Finding f : findings) {
            sev.append(f.severity().name());
            code.append(f.code());
            summary.append(f.summary());
            evidence.append(f.evidence());
            next.append(f.nextStep());
        }
        return Table.create("diagnosis of " + runId).addColumns(sev, code, summary, evidence, next);
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("Diagnosis of run '" + runId + "': ");
        sb.append(findings.isEmpty() ? "nothing wrong found." : findings.size() + " finding(s)");
        for (Finding f : findings) sb.append("\n- ").append(f);
        return sb.toString();
    }
}
