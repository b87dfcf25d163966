package psyche.config;

import java.util.Objects;
import java.util.Optional;

/** A Google Cloud Storage location (FixedString&lt;64&gt; each on chain); prefix is optional. */
public record GcsRepo(String bucket, Optional<String> prefix) {
    public GcsRepo {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
    }

    public static GcsRepo of(String bucket) { return new GcsRepo(bucket, Optional.empty()); }
}
