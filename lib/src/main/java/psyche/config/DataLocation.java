package psyche.config;

import java.util.Objects;

/** {@code model.LLM.data_location}; variant order {@code Dummy, Server, Local, Http, WeightedHttp, Preprocessed}. */
public sealed interface DataLocation {
    int tag();

    record Dummy() implements DataLocation { public int tag() { return 0; } }

    /** "host:port" of a centralized data server (64). */
    record Server(String address) implements DataLocation {
        public Server { Objects.requireNonNull(address, "address"); }
        public int tag() { return 1; }
    }

    /** A local directory (192). */
    record Local(String path) implements DataLocation {
        public Local { Objects.requireNonNull(path, "path"); }
        public int tag() { return 2; }
    }

    record Http(HttpLocation location, TokenSize tokenSizeInBytes, Shuffle shuffle) implements DataLocation {
        public Http {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(tokenSizeInBytes, "tokenSizeInBytes");
            Objects.requireNonNull(shuffle, "shuffle");
        }
        public int tag() { return 3; }
    }

    /** URL of a JSON file describing weighted Http providers (192). */
    record WeightedHttp(String url) implements DataLocation {
        public WeightedHttp { Objects.requireNonNull(url, "url"); }
        public int tag() { return 4; }
    }

    /** A directory or HF dataset repo of parquet files (192). */
    record Preprocessed(String location) implements DataLocation {
        public Preprocessed { Objects.requireNonNull(location, "location"); }
        public int tag() { return 5; }
    }
}
