package psyche.config;

import java.util.Objects;
import java.util.Optional;

/** A Hugging Face repository (FixedString&lt;64&gt; each on chain); revision is optional. */
public record HubRepo(String repoId, Optional<String> revision) {
    public HubRepo {
        Objects.requireNonNull(repoId, "repoId");
        Objects.requireNonNull(revision, "revision");
    }

    public static HubRepo of(String repoId) { return new HubRepo(repoId, Optional.empty()); }
}
