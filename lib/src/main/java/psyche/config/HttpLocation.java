package psyche.config;

import java.util.Objects;

/** {@code model.LLM.data_location.Http.location}; variant order is the tag order. */
public sealed interface HttpLocation {
    int tag();

    /** One URL (FixedString&lt;192&gt;). */
    record SingleUrl(String url) implements HttpLocation {
        public SingleUrl { Objects.requireNonNull(url, "url"); }
        public int tag() { return 0; }
    }

    /** {@code url_template} (64, exactly one "{}") filled with {@code start_index + i}, zero-padded. */
    record NumberedFiles(String urlTemplate, long startIndex, int nLeftPadZeros, long numFiles) implements HttpLocation {
        public NumberedFiles { Objects.requireNonNull(urlTemplate, "urlTemplate"); }
        public int tag() { return 1; }
    }

    /** Anonymous listing of a public GCS bucket (64) under a directory (192, "" = whole bucket). */
    record Gcp(String bucketName, String filterDirectory) implements HttpLocation {
        public Gcp {
            Objects.requireNonNull(bucketName, "bucketName");
            Objects.requireNonNull(filterDirectory, "filterDirectory");
        }
        public int tag() { return 2; }
    }
}
