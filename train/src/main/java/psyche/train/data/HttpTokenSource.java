package psyche.train.data;

import psyche.config.HttpLocation;
import psyche.train.TrainingException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw token files over HTTP as Psyche's {@code HttpDataProvider}: sizes from HEAD {@code Content-Length}, samples by
 * {@code Range} requests with a 5 s timeout. Gcp bucket listing is not supported (no network here to test it).
 */
public final class HttpTokenSource implements TokenSource {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final List<URI> urls;
    private final List<Long> sizes = new ArrayList<>();

    public HttpTokenSource(List<URI> urls) {
        if (urls.isEmpty()) throw new TrainingException("an Http data location needs at least one URL");
        this.urls = List.copyOf(urls);
        for (URI u : this.urls) sizes.add(contentLength(u));
    }

    /** The URL list of a location: SingleUrl, or NumberedFiles with {@code {}} = start_index + i, zero-padded. */
    public static List<URI> urls(HttpLocation location) {
        if (location instanceof HttpLocation.SingleUrl s) return List.of(URI.create(s.url()));
        if (location instanceof HttpLocation.NumberedFiles n) {
            String t = n.urlTemplate();
            int first = t.indexOf("{}");
            if (first < 0 || t.indexOf("{}", first + 1) >= 0) {
                throw new TrainingException("invalid url " + t + ": expected exactly one {} for the file number");
            }
            if (n.numFiles() <= 0) throw new TrainingException("NumberedFiles needs num_files > 0");
            List<URI> out = new ArrayList<>();
            for (long i = 0; i < n.numFiles(); i++) {
                String num = Long.toString(n.startIndex() + i);
                if (num.length() < n.nLeftPadZeros()) num = "0".repeat(n.nLeftPadZeros() - num.length()) + num;
                out.add(URI.create(t.replace("{}", num)));
            }
            return out;
        }
        throw new TrainingException("Http location " + location + " is not supported here (Gcp listing needs "
                + "Google Cloud access); use SingleUrl or NumberedFiles");
    }

    private long contentLength(URI u) {
        try {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(u).timeout(TIMEOUT)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 != 2) throw new TrainingException("URL validation failed for " + u + ": HTTP " + r.statusCode());
            return r.headers().firstValueAsLong("Content-Length")
                    .orElseThrow(() -> new TrainingException("missing or invalid Content-Length header for " + u));
        } catch (IOException e) {
            throw new TrainingException("HEAD " + u + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while asking " + u + " for its size", e);
        }
    }

    @Override public String describe() { return urls.size() == 1 ? urls.get(0).toString() : urls.size() + " URLs from " + urls.get(0); }

    @Override public List<Long> fileSizes() { return List.copyOf(sizes); }

    @Override public byte[] read(int file, long offset, int length) {
        URI u = urls.get(file);
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        try {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(u).timeout(TIMEOUT).header("Range", range).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() / 100 != 2) throw new TrainingException("request for " + range + " of " + u + ": HTTP " + r.statusCode());
            if (r.body().length != length) {
                throw new TrainingException("received " + r.body().length + " bytes for " + range + " of " + u
                        + ", expected " + length + " (does the server honour Range requests?)");
            }
            return r.body();
        } catch (IOException e) {
            throw new TrainingException("request for " + range + " of " + u + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while fetching " + range + " of " + u, e);
        }
    }
}
