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

        // with*: a copy with one field changed (a notebook changes one value in one call)
        public AdamW withBeta1(float value) { return new AdamW(value, beta2, weightDecay, eps, clipGradNorm); }
        public AdamW withBeta2(float value) { return new AdamW(beta1, value, weightDecay, eps, clipGradNorm); }
        public AdamW withWeightDecay(float value) { return new AdamW(beta1, beta2, value, eps, clipGradNorm); }
        public AdamW withEps(float value) { return new AdamW(beta1, beta2, weightDecay, value, clipGradNorm); }
        public AdamW withClipGradNorm(Optional<Float> value) { return new AdamW(beta1, beta2, weightDecay, eps, value); }
        public AdamW withClipGradNorm(float value) { return withClipGradNorm(Optional.of(value)); }
    }

    /** DisTrO / DeMo: DCT + top-k of the momentum residual, sign-SGD on the aggregate. */
    record Distro(Optional<Float> clipGradNorm, Optional<Float> weightDecay, float compressionDecay,
                  int compressionTopk, int compressionChunk, boolean quantize1bit) implements Optimizer {
        public Distro {
            Objects.requireNonNull(clipGradNorm, "clipGradNorm");
            Objects.requireNonNull(weightDecay, "weightDecay");
        }
        public int tag() { return 2; }

        // with*: a copy with one field changed (a notebook changes one value in one call)
        public Distro withClipGradNorm(Optional<Float> value) { return new Distro(value, weightDecay, compressionDecay, compressionTopk, compressionChunk, quantize1bit); }
        public Distro withClipGradNorm(float value) { return withClipGradNorm(Optional.of(value)); }
        public Distro withWeightDecay(float value) { return withWeightDecay(Optional.of(value)); }
        public Distro withWeightDecay(Optional<Float> value) { return new Distro(clipGradNorm, value, compressionDecay, compressionTopk, compressionChunk, quantize1bit); }
        public Distro withCompressionDecay(float value) { return new Distro(clipGradNorm, weightDecay, value, compressionTopk, compressionChunk, quantize1bit); }
        public Distro withCompressionTopk(int value) { return new Distro(clipGradNorm, weightDecay, compressionDecay, value, compressionChunk, quantize1bit); }
        public Distro withCompressionChunk(int value) { return new Distro(clipGradNorm, weightDecay, compressionDecay, compressionTopk, value, quantize1bit); }
        public Distro withQuantize1bit(boolean value) { return new Distro(clipGradNorm, weightDecay, compressionDecay, compressionTopk, compressionChunk, value); }
    }
}
