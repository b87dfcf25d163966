package psyche.config;

import java.util.Objects;

/**
 * Where clients fetch the model from: {@code model.LLM.checkpoint}. Variant order is the tag order
 * {@code Ephemeral, Dummy, Hub, P2P, Gcs, P2PGcs}.
 */
public sealed interface Checkpoint {
    /** Borsh / repr(C) tag of this variant. */
    int tag();

    record Ephemeral() implements Checkpoint { public int tag() { return 0; } }

    record Dummy(HubRepo repo) implements Checkpoint {
        public Dummy { Objects.requireNonNull(repo, "repo"); }
        public int tag() { return 1; }
    }

    record Hub(HubRepo repo) implements Checkpoint {
        public Hub { Objects.requireNonNull(repo, "repo"); }
        public int tag() { return 2; }
    }

    record P2P(HubRepo repo) implements Checkpoint {
        public P2P { Objects.requireNonNull(repo, "repo"); }
        public int tag() { return 3; }
    }

    record Gcs(GcsRepo repo) implements Checkpoint {
        public Gcs { Objects.requireNonNull(repo, "repo"); }
        public int tag() { return 4; }
    }

    record P2PGcs(GcsRepo repo) implements Checkpoint {
        public P2PGcs { Objects.requireNonNull(repo, "repo"); }
        public int tag() { return 5; }
    }
}
