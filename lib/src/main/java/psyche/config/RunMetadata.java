package psyche.config;

import java.util.Objects;

/** Run metadata shown to joiners: name (FixedString 64), description (280), parameter count, vocab size. */
public record RunMetadata(String name, String description, long numParameters, long vocabSize) {
    public RunMetadata {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
    }

    public static RunMetadata empty() { return new RunMetadata("", "", 0, 0); }
}
