package psyche.diagnose;

import java.util.Objects;

/**
 * One diagnosis: how serious, a stable code (for filtering and tests), what is wrong, the evidence from chain or
 * history, and the next step.
 */
public record Finding(Severity severity, String code, String summary, String evidence, String nextStep) {
    public enum Severity { PROBLEM, WARNING, INFO }

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(nextStep, "nextStep");
    }

    @Override public String toString() {
        return severity + " [" + code + "] " + summary + "\n    evidence: " + evidence + "\n    next: " + nextStep;
    }
}
