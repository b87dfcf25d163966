package psyche.config;

import java.util.Objects;
import java.util.Optional;

/** {@code model.LLM.optimizer}; variant order {@code Dummy, AdamW, Distro}. */
public sealed interface Optimizer {
    int tag();

    record Dummy() implements Optimizer { public int tag() { return 0; } }

    /** AdamW shares nothing between clients, so it only suits single-client runs. */
    record AdamW(float beta1, float beta2, float weightDecay, float eps, Optional<Float> clipGradNorm)
            implements Optimizer {
        public AdamW { Objects.requireNonNull(clipGradNorm, "clipGradNorm"); }
        public int tag() { return 1; }
    }

    /** DisTrO / DeMo: DCT + top-k of the momentum residual, sign-SGD on the aggregate. */
    record Distro(Optional<Float> clipGradNorm, Optional<Float> weightDecay, float compressionDecay,
                  int compressionTopk, int compressionChunk, boolean quantize1bit) implements Optimizer {
        public Distro {
            Objects.requireNonNull(clipGradNorm, "clipGradNorm");
            Objects.requireNonNull(weightDecay, "weightDecay");
        }
        public int tag() { return 2; }
    }
}
