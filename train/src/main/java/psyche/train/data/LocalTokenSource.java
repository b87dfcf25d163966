package psyche.train.data;

import psyche.train.TrainingException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Raw token files on disk: one file, or every {@code .bin}, {@code .ds} and {@code .npy} file of a directory sorted by
 * name (Psyche's data file extensions; contents are read as raw tokens, as Psyche does).
 */
public final class LocalTokenSource implements TokenSource {
    private final Path root;
    private final List<Path> files;
    private final List<Long> sizes = new ArrayList<>();

    public LocalTokenSource(Path root) {
        this.root = root;
        if (Files.isRegularFile(root)) {
            files = List.of(root);
        } else if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                files = s.filter(p -> {
                    String n = p.getFileName().toString();
                    return Files.isRegularFile(p) && (n.endsWith(".bin") || n.endsWith(".ds") || n.endsWith(".npy"));
                }).sorted().toList();
            } catch (IOException e) {
                throw new TrainingException("cannot list dataset directory " + root + ": " + e.getMessage(), e);
            }
        } else {
            throw new TrainingException("dataset " + root + " does not exist: give a directory of .bin/.ds/.npy token files or one file");
        }
        if (files.isEmpty()) throw new TrainingException("no .bin, .ds or .npy token files in " + root);
        for (Path f : files) psyche.reports.ProvenanceLog.input("dataset", f);
        for (Path f : files) {
            try {
                sizes.add(Files.size(f));
            } catch (IOException e) {
                throw new TrainingException("cannot stat " + f + ": " + e.getMessage(), e);
            }
        }
    }

    public List<Path> files() { return files; }

    @Override public String describe() { return root.toString(); }

    @Override public List<Long> fileSizes() { return List.copyOf(sizes); }

    /** Reads with RandomAccessFile, which (unlike FileChannel) is not closed by an interrupt of the reading thread. */
    @Override public byte[] read(int file, long offset, int length) {
        try (RandomAccessFile f = new RandomAccessFile(files.get(file).toFile(), "r")) {
            byte[] buf = new byte[length];
            f.seek(offset);
            f.readFully(buf);
            return buf;
        } catch (java.io.EOFException e) {
            throw new TrainingException("read past the end of " + files.get(file) + " at " + offset + "+" + length, e);
        } catch (IOException e) {
            throw new TrainingException("cannot read " + files.get(file) + ": " + e.getMessage(), e);
        }
    }
}
