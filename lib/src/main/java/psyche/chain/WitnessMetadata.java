package psyche.chain;

import java.util.List;
import java.util.Objects;

/**
 * What a witness reports about its round besides the proof ({@code WitnessMetadata}): the program ignores it, but
 * it is part of the {@code witness} instruction's bytes. {@code evals} holds at most 8, {@code promptResults} 16.
 */
public record WitnessMetadata(long step, float tokensPerSec, float bandwidthPerSec, float loss, List<Eval> evals,
                              List<Integer> promptResults, int promptIndex, float efficiency) {
    public static final int MAX_EVALS = 8, MAX_PROMPT_RESULTS = 16;

    /** One evaluation result; name is a FixedString&lt;32&gt;. */
    public record Eval(String name, float value) {
        public Eval { Objects.requireNonNull(name, "name"); }
    }

    public WitnessMetadata {
        evals = List.copyOf(evals);
        promptResults = List.copyOf(promptResults);
        if (evals.size() > MAX_EVALS) throw new IllegalArgumentException("at most 8 evals, got " + evals.size());
        if (promptResults.size() > MAX_PROMPT_RESULTS) {
            throw new IllegalArgumentException("at most 16 prompt results, got " + promptResults.size());
        }
    }

    public static WitnessMetadata empty() { return new WitnessMetadata(0, 0, 0, 0, List.of(), List.of(), 0, 0); }
}
