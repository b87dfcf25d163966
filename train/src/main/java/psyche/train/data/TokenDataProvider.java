package psyche.train.data;

import psyche.coordinator.BatchId;
import psyche.config.DataLocation;
import psyche.config.Shuffle;
import psyche.config.TokenSize;
import psyche.train.TrainingException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Serves training samples by sequence index, as Psyche's Http/Local token providers: sequence pointers at byte offsets
 * {@code k * L} ({@code L = seqLen * tokenBytes}) while {@code offset < size - (L + tokenBytes)}, concatenated over the
 * files in order, optionally shuffled with ChaCha8 ({@code Seeded}); a sample is {@code seqLen + 1} tokens (inputs
 * plus the shifted target).
 */
public final class TokenDataProvider implements AutoCloseable {
    private final TokenSource source;
    private final int tokenBytes;
    private final int seqLen;
    private final int[] pointerFile;
    private final long[] pointerOffset;

    public TokenDataProvider(TokenSource source, TokenSize tokenSize, int seqLen, Shuffle shuffle) {
        if (seqLen <= 0) throw new TrainingException("max_seq_len must be > 0, got " + seqLen);
        this.source = source;
        this.tokenBytes = tokenSize.bytes();
        this.seqLen = seqLen;
        long seqBytes = (long) seqLen * tokenBytes;
        long count = 0;
        for (long size : source.fileSizes()) count += pointersIn(size, seqBytes);
        if (count == 0) {
            long total = source.fileSizes().stream().mapToLong(Long::longValue).sum();
            throw new TrainingException("dataset " + source.describe() + " is shorter than one sequence: "
                    + total / tokenBytes + " tokens in " + source.fileSizes().size() + " file(s), but a sample needs more than "
                    + (seqLen + 1) + " tokens in one file (max_seq_len " + seqLen + " + 1); use more data or a shorter max_seq_len");
        }
        if (count > Integer.MAX_VALUE) throw new TrainingException("dataset has " + count + " sequences, more than this provider indexes");
        long[] packed = new long[(int) count];
        int at = 0;
        for (int f = 0; f < source.fileSizes().size(); f++) {
            long n = pointersIn(source.fileSizes().get(f), seqBytes);
            for (long k = 0; k < n; k++) packed[at++] = ((long) f << 40) | (k * seqBytes);
        }
        if (shuffle instanceof Shuffle.Seeded s) new ChaCha8Rng(s.seed()).shuffle(packed);
        pointerFile = new int[packed.length];
        pointerOffset = new long[packed.length];
        for (int i = 0; i < packed.length; i++) {
            pointerFile[i] = (int) (packed[i] >>> 40);
            pointerOffset[i] = packed[i] & ((1L << 40) - 1);
        }
    }

    /** Number of offsets {@code 0, L, 2L, ...} below {@code size - (L + tokenBytes)} (none when the file is smaller). */
    private long pointersIn(long size, long seqBytes) {
        long limit = size - (seqBytes + tokenBytes);
        return limit <= 0 ? 0 : (limit + seqBytes - 1) / seqBytes;
    }

    /**
     * Opens a data location: {@code Local} (a directory or file of u16 tokens, unshuffled: Psyche's client has no
     * Local provider to copy) or {@code Http} (SingleUrl, NumberedFiles).
     */
    public static TokenDataProvider open(DataLocation location, int seqLen) {
        if (location instanceof DataLocation.Local l) {
            return new TokenDataProvider(new LocalTokenSource(Path.of(l.path())), TokenSize.TwoBytes, seqLen, new Shuffle.DontShuffle());
        }
        if (location instanceof DataLocation.Http h) {
            return new TokenDataProvider(new HttpTokenSource(HttpTokenSource.urls(h.location())), h.tokenSizeInBytes(),
                    seqLen, h.shuffle());
        }
        throw new TrainingException("data location " + location + " is not supported for in-process training: use Local or Http");
    }

    public long numSequences() { return pointerFile.length; }

    public int seqLen() { return seqLen; }

    public String describe() { return source.describe(); }

    /** (file, byte offset) of sequence {@code index}. */
    public long[] pointer(long index) {
        check(index);
        return new long[] {pointerFile[(int) index], pointerOffset[(int) index]};
    }

    private void check(long index) {
        if (index < 0 || index >= pointerFile.length) {
            throw new TrainingException("index " + index + " is out of bounds, we only have " + pointerFile.length + " samples");
        }
    }

    /**
     * Like {@link #samples} but sequence indices wrap around the dataset, so a long run revisits it epoch after
     * epoch (the coordinator's data index keeps growing).
     */
    public int[][] samplesWrapping(BatchId range) {
        long num = numSequences();
        java.util.List<int[]> rows = new java.util.ArrayList<>();
        long i = range.start();
        while (i <= range.end()) {
            long from = i % num;
            long len = Math.min(range.end() - i + 1, num - from);
            java.util.Collections.addAll(rows, samples(new BatchId(from, from + len - 1)));
            i += len;
        }
        return rows.toArray(new int[0][]);
    }

    /** The samples of {@code batch}, one row of {@code seqLen + 1} tokens per sequence index, in index order. */
    public int[][] samples(BatchId batch) {
        check(batch.start());
        check(batch.end());
        int n = (int) batch.size();
        int[][] out = new int[n][];
        long seqBytes = (long) seqLen * tokenBytes;
        int i = 0;
        while (i < n) {
            // contiguous pointers in one file are read with a single request
            int run = 1;
            int first = (int) batch.start() + i;
            while (i + run < n && pointerFile[first + run] == pointerFile[first]
                    && pointerOffset[first + run] == pointerOffset[first] + run * seqBytes) run++;
            byte[] bytes = source.read(pointerFile[first], pointerOffset[first], (int) (run * seqBytes + tokenBytes));
            int[] tokens = decode(bytes);
            for (int r = 0; r < run; r++) out[i + r] = Arrays.copyOfRange(tokens, r * seqLen, r * seqLen + seqLen + 1);
            i += run;
        }
        return out;
    }

    private int[] decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] t = new int[bytes.length / tokenBytes];
        for (int i = 0; i < t.length; i++) t[i] = tokenBytes == 2 ? b.getShort() & 0xFFFF : b.getInt();
        return t;
    }

    /** Largest token id in the whole source (reads everything: meant for small local datasets). */
    public int maxTokenId() {
        int max = 0;
        for (int f = 0; f < source.fileSizes().size(); f++) {
            long size = source.fileSizes().get(f);
            for (long off = 0; off < size; off += 1 << 20) {
                int len = (int) Math.min(1 << 20, size - off) / tokenBytes * tokenBytes;
                if (len == 0) break;
                for (int t : decode(source.read(f, off, len))) max = Math.max(max, t);
            }
        }
        return max;
    }

    @Override public void close() {
        source.close();
    }
}
