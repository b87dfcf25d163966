package psyche.chain.local;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

import psyche.coordinator.Pubkey;

/**
 * The ledger on disk: {@code snapshot.bin} (all accounts and transactions up to a sequence number) and
 * {@code wal.log}, an append-only log of what each later commit changed, each record framed with its length and a
 * CRC32. A commit is confirmed only after the log is fsynced ({@link #awaitDurable}, group commit: one fsync covers
 * every record appended before it). Recovery loads the snapshot, replays the intact records and cuts off a torn tail.
 */
final class LedgerStore implements AutoCloseable {
    private static final long SNAPSHOT_MAGIC = 0x5053594C534E5031L; // "PSYLSNP1"
    private static final byte RECORD_TRANSACTION = 1;
    private static final byte RECORD_ACCOUNTS = 2;

    /** Receives the recovered state. */
    interface Sink {
        void account(Pubkey key, AccountState state);
        void transaction(TransactionRecord record);
    }

    private final Path dir;
    private final Path walPath;
    private final Path snapshotPath;
    private FileChannel wal;
    private FileChannel lockChannel;
    private java.nio.channels.FileLock lock;
    // Group commit: appends only queue their frame (under the ledger's lock, so log order = commit order); one
    // flusher thread writes everything queued, fsyncs once, and releases every waiter of that batch at the same time.
    private final Object pendingLock = new Object();
    private final List<Pending> pending = new ArrayList<>(); // guarded by pendingLock
    private long appendedMark;          // log bytes ever appended (guarded by pendingLock)
    private long walStartMark;          // the mark at which the current log file begins (guarded by pendingLock)
    private boolean closing;            // guarded by pendingLock
    private IOException failure;        // guarded by pendingLock: after a failed write nothing more is confirmed
    private Thread flusher;
    /** Tests only: run by the flusher before it writes and fsyncs each batch (e.g. to hold the fsync back); null: none. */
    volatile Runnable beforeFlush;
    private final Object fileLock = new Object(); // the flusher's writes vs. snapshot truncation

    /** A queued log record; {@link #awaitDurable} returns once it is on stable storage. */
    static final class Durable {
        private final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    }

    private record Pending(ByteBuffer frame, Durable durable) {}

    private long sequence;

    LedgerStore(Path dir) {
        this.dir = dir;
        this.walPath = dir.resolve("wal.log");
        this.snapshotPath = dir.resolve("snapshot.bin");
    }

    /** The first bytes of a log written since checksummed headers: magic, the sequence it follows, CRC32 of both. */
    private static final long WAL_MAGIC = 0x505359574C303032L; // "PSYWL002"
    static final int WAL_HEADER_BYTES = 20;
    /** Larger than any record we write (a 10 MiB account twice over), small enough to refuse a damaged length. */
    private static final int MAX_RECORD_BYTES = 64 << 20;
    private static final int MAX_ACCOUNT_DATA = MAX_RECORD_BYTES; // above Solana's 10 MiB: a valid ledger is never refused

    /**
     * Before a new ledger's genesis is written: refuses a directory that already holds history (its genesis file was
     * lost), and writes an empty log with its header, so that from then on a missing log is damage, not newness.
     */
    static void prepareFresh(Path dir) throws IOException {
        Path snapshot = dir.resolve("snapshot.bin");
        Path wal = dir.resolve("wal.log");
        if (Files.exists(snapshot) || Files.exists(wal) && Files.size(wal) > WAL_HEADER_BYTES) {
            WalScan scan = Files.exists(wal) ? scanWal(wal, -1) : null;
            throw new LedgerDamagedException(dir.resolve("genesis.properties"), -1,
                    "genesis.properties is missing, but the ledger holds history ("
                            + (Files.exists(snapshot) ? "snapshot.bin, " : "")
                            + (scan == null ? "no wal.log" : "wal.log with " + scan.intactTransactions + " confirmed transactions")
                            + "); without it the faucet key and genesis hash are unknown",
                    "restore genesis.properties from a backup of " + dir + ", or move " + dir
                            + " aside and start a new chain (the old one stays there for inspection)");
        }
        writeEmptyWal(wal, 0);
    }

    private static void writeEmptyWal(Path wal, long baseSequence) throws IOException {
        Path tmp = wal.resolveSibling("wal.tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer header = walHeader(baseSequence);
            while (header.hasRemaining()) channel.write(header);
            channel.force(true);
        }
        Files.move(tmp, wal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(wal.getParent());
    }

    private static ByteBuffer walHeader(long baseSequence) {
        ByteBuffer header = ByteBuffer.allocate(WAL_HEADER_BYTES);
        header.putLong(WAL_MAGIC).putLong(baseSequence);
        CRC32 crc = new CRC32();
        crc.update(header.array(), 0, 16);
        header.putInt((int) crc.getValue()).flip();
        return header;
    }

    /** Loads snapshot + log into {@code sink}, cuts a torn tail, refuses damage, and opens the log for appending. */
    void recover(Sink sink, java.util.function.Function<Pubkey, AccountState> current) {
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve("ledger.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("the ledger in " + dir + " is in use by another local chain process: "
                        + "stop it, or use another ledger directory");
            }
            try {
                recoverLocked(sink, current);
            } catch (RuntimeException | IOException e) {
                releaseLock();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the local chain ledger in " + dir + ": " + e.getMessage()
                    + " (nothing was changed; check the disk and the directory's permissions, then start again)", e);
        }
    }

    private void recoverLocked(Sink sink, java.util.function.Function<Pubkey, AccountState> current) throws IOException {
        if (!Files.exists(walPath)) {
            throw new LedgerDamagedException(walPath, -1, "wal.log is missing"
                    + (Files.exists(snapshotPath) ? "; snapshot.bin alone may lack the transactions confirmed after it"
                    : " and there is no snapshot.bin: every confirmed transaction of this ledger is gone"),
                    "restore wal.log from a backup of " + dir + "; to accept the snapshot's state alone, run `run-manager "
                            + "local-validator --ledger " + dir + " --repair` (it records what it did)");
        }
        long snapshotSeq = Files.exists(snapshotPath) ? readSnapshot(sink) : 0;
        WalScan scan = scanWal(walPath, Files.exists(snapshotPath) ? snapshotSeq : 0);
        if (scan.damage != null) throw scan.damage.exception(walPath, scan, "wal.log");
        if (!Files.exists(snapshotPath) && scan.startsAt() > 1) {
            throw new LedgerDamagedException(snapshotPath, -1, "snapshot.bin is missing: wal.log starts at sequence "
                    + scan.startsAt() + ", so the state and transactions of sequences 1.." + (scan.startsAt() - 1)
                    + " are gone (wal.log holds " + scan.intactTransactions + " later confirmed transactions)",
                    "restore snapshot.bin from a backup of " + dir);
        }
        if (Files.exists(snapshotPath) && scan.startsAt() > snapshotSeq + 1) {
            throw new LedgerDamagedException(snapshotPath, -1, "snapshot.bin (up to sequence " + snapshotSeq
                    + ") is older than wal.log, which starts at sequence " + scan.startsAt() + ": sequences "
                    + (snapshotSeq + 1) + ".." + (scan.startsAt() - 1) + " are gone",
                    "restore the snapshot.bin that belongs with this wal.log from a backup of " + dir);
        }
        sequence = snapshotSeq;
        try (FileChannel read = FileChannel.open(walPath, StandardOpenOption.READ)) {
            for (long[] frame : scan.frames) {
                ByteBuffer payload = ByteBuffer.allocate((int) frame[1]);
                while (payload.hasRemaining() && read.read(payload, frame[0] + 8 + payload.position()) >= 0) { /* fill */ }
                long seq = applyRecord(payload.array(), snapshotSeq, sink, current);
                if (seq > sequence) sequence = seq;
            }
        }
        wal = FileChannel.open(walPath, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (wal.size() > scan.validLength) wal.truncate(scan.validLength); // a torn tail: never confirmed (never fsynced whole)
        wal.position(scan.validLength);
        wal.force(true);
        appendedMark = scan.validLength;
        walStartMark = 0;
        flusher = new Thread(this::flushLoop, "local-chain-wal");
        flusher.setDaemon(true);
        flusher.start();
    }

    /**
     * Explicit repair (never done on start): copies wal.log aside, then cuts it at its first damaged record, keeping
     * every record before it. Returns what it did, for people. A damaged snapshot cannot be repaired here.
     */
    static String repair(Path dir) {
        Path walPath = dir.resolve("wal.log");
        Path snapshotPath = dir.resolve("snapshot.bin");
        try (FileChannel lockChannel = FileChannel.open(dir.resolve("ledger.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock held;
            try {
                held = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
                held = null;
            }
            if (held == null) throw new IllegalStateException("the ledger in " + dir + " is in use by a local chain process: stop it first");
            String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                    .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
            long snapshotSeq = 0;
            if (Files.exists(snapshotPath)) {
                snapshotSeq = new LedgerStore(dir).readSnapshot(new Sink() {
                    @Override public void account(Pubkey key, AccountState state) { }
                    @Override public void transaction(TransactionRecord record) { }
                });
            }
            if (!Files.exists(walPath)) {
                if (!Files.exists(snapshotPath)) throw new IllegalStateException("nothing to repair from in " + dir + ": no snapshot.bin and no wal.log");
                writeEmptyWal(walPath, snapshotSeq);
                return "wal.log was missing: wrote an empty one after snapshot.bin (sequence " + snapshotSeq
                        + "); transactions confirmed after that snapshot, if any, are gone";
            }
            WalScan scan = scanWal(walPath, snapshotSeq);
            if (scan.damage == null) return "wal.log is intact (" + scan.frames.size() + " records, "
                    + scan.intactTransactions + " transactions" + (scan.tornBytes > 0 ? ", a torn tail of " + scan.tornBytes
                    + " bytes that the next start cuts off" : "") + "): nothing to repair";
            Path copy = dir.resolve("wal.log.damaged-" + stamp);
            Files.copy(walPath, copy, StandardCopyOption.COPY_ATTRIBUTES);
            try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) { c.force(true); }
            try (FileChannel c = FileChannel.open(walPath, StandardOpenOption.WRITE)) {
                c.truncate(scan.damage.offset);
                c.force(true);
            }
            fsyncDirectory(dir);
            return "wal.log was damaged at byte " + scan.damage.offset + " (" + scan.damage.what + "): kept the "
                    + scan.frames.size() + " records before it (" + scan.intactTransactions + " transactions), dropped "
                    + "the damaged record and the " + scan.damage.recordsAfter + " records after it (" + scan.damage.transactionsAfter
                    + " confirmed transactions); the whole log as it was is in " + copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair the ledger in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Where the log goes wrong. */
    private record Damage(long offset, int recordIndex, String what, int recordsAfter, long transactionsAfter,
                          long firstSequenceAfter, long lastSequenceAfter) {
        LedgerDamagedException exception(Path file, WalScan scan, String name) {
            String after = recordsAfter == 0 ? "no intact record follows it"
                    : recordsAfter + " intact records follow it, holding " + transactionsAfter + " confirmed transactions (sequences "
                    + firstSequenceAfter + ".." + lastSequenceAfter + ")";
            return new LedgerDamagedException(file, offset, name + " is damaged at byte " + offset + ", record " + (recordIndex + 1)
                    + ": " + what + "; " + after + "; the " + scan.frames.size() + " records before it hold "
                    + scan.intactTransactions + " transactions. The chain did not start and changed nothing",
                    "keep a copy of " + file.getParent() + "; to keep the records before the damage and drop the rest, run "
                            + "`run-manager local-validator --ledger " + file.getParent() + " --repair` (it copies wal.log aside first)");
        }
    }

    /** The outcome of reading the log without applying it. */
    private static final class WalScan {
        final List<long[]> frames = new ArrayList<>(); // {offset, payload length} of each intact record, in order
        long validLength;
        long firstSequence = -1;
        long baseSequence = -1; // from the header; -1: a log written before headers
        long intactTransactions;

        /** The first sequence the log holds or, empty, the one it would hold next; -1 when not known. */
        long startsAt() { return firstSequence > 0 ? firstSequence : baseSequence >= 0 ? baseSequence + 1 : -1; }
        long tornBytes;
        Damage damage;
    }

    /**
     * Reads every frame of the log and checks its checksum, framing, record structure and that sequences follow one
     * another. A bad frame is a torn tail only when it is the last write and never completed: it runs past the end of
     * the file (and is not a whole record with a damaged length), or the file ends in zeros; anything else is damage.
     * {@code snapshotSequence} < 0: not known (only counting).
     */
    private static WalScan scanWal(Path walPath, long snapshotSequence) throws IOException {
        WalScan scan = new WalScan();
        try (FileChannel channel = FileChannel.open(walPath, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer file = size == 0 ? ByteBuffer.allocate(0) : channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            int pos = 0;
            long expected = -1;
            if (size >= 8 && file.getLong(0) == WAL_MAGIC) {
                if (size < WAL_HEADER_BYTES || file.getInt(16) != crc32(file, 0, 16)) {
                    scan.damage = new Damage(0, -1, "its header fails its checksum", 0, 0, 0, 0);
                    return scan;
                }
                scan.baseSequence = file.getLong(8);
                expected = scan.baseSequence + 1;
                pos = WAL_HEADER_BYTES;
            } else if (size > 0 && size < 8 && isZero(file, 0, (int) size)) {
                scan.tornBytes = size;
                return scan; // a header never written whole
            }
            scan.validLength = pos;
            int index = 0;
            while (pos < size) {
                String problem = null;
                long seq = -1;
                int length = size - pos >= 8 ? file.getInt(pos) : -1;
                if (size - pos < 8) problem = "torn";
                else if (length < 9 || length > MAX_RECORD_BYTES) problem = "its length field (" + length + ") is impossible";
                else if (pos + 8L + length > size) problem = "torn";
                else if (file.getInt(pos + 4) != crc32(file, pos + 8, length)) problem = "its checksum does not match its contents";
                else {
                    byte[] payload = new byte[length];
                    file.get(pos + 8, payload);
                    try {
                        seq = checkRecord(payload);
                    } catch (IOException | RuntimeException e) {
                        problem = "its checksum matches but its contents do not parse (" + e.getMessage() + ")";
                    }
                    if (problem == null && expected >= 0 && seq != expected) {
                        problem = "its sequence is " + seq + " where " + expected + " was expected ("
                                + (seq > expected ? (seq - expected) + " records are missing before it" : "out of order") + ")";
                    }
                }
                if (problem != null) {
                    boolean lastWrite = nextIntactFrame(file, pos + 1, size, expected) < 0;
                    boolean incomplete = problem.equals("torn") && !(size - pos >= 8
                            && file.getInt(pos + 4) == crc32(file, pos + 8, (int) (size - pos - 8)) && size - pos - 8 >= 9);
                    if (lastWrite && (incomplete || isZero(file, pos, (int) (size - pos)))) {
                        scan.tornBytes = size - pos;
                        return scan;
                    }
                    if (problem.equals("torn")) problem = "its length field (" + length + ") runs past the end of the file"
                            + (lastWrite ? ", but the bytes that are there form a whole record: the length is damaged" : "");
                    scan.damage = countAfter(file, pos, index, problem, size, expected);
                    return scan;
                }
                if (scan.firstSequence < 0) scan.firstSequence = seq;
                if (file.get(pos + 8 + 8) == RECORD_TRANSACTION && (snapshotSequence < 0 || seq > snapshotSequence)) scan.intactTransactions++;
                scan.frames.add(new long[] {pos, length});
                expected = seq + 1;
                pos += 8 + length;
                scan.validLength = pos;
                index++;
            }
            return scan;
        }
    }

    /** The damage at {@code pos}, with the intact records found after it (resynchronizing on checksums). */
    private static Damage countAfter(ByteBuffer file, int pos, int index, String problem, long size, long expected) {
        int records = 0;
        long transactions = 0;
        long first = -1;
        long last = -1;
        int at = nextIntactFrame(file, pos + 1, size, -1);
        while (at >= 0) {
            int length = file.getInt(at);
            long seq = file.getLong(at + 8);
            if (first < 0) first = seq;
            last = seq;
            records++;
            if (file.get(at + 16) == RECORD_TRANSACTION) transactions++;
            at = nextIntactFrame(file, at + 8 + length, size, -1);
        }
        return new Damage(pos, index, problem, records, transactions, first, last);
    }

    /** The offset of the first frame at or after {@code from} whose checksum and structure are intact, or -1. */
    private static int nextIntactFrame(ByteBuffer file, int from, long size, long minSequence) {
        for (int at = from; at + 8 + 9 <= size; at++) {
            int length = file.getInt(at);
            if (length < 9 || length > MAX_RECORD_BYTES || at + 8L + length > size) continue;
            if (file.getInt(at + 4) != crc32(file, at + 8, length)) continue;
            byte[] payload = new byte[length];
            file.get(at + 8, payload);
            try {
                long seq = checkRecord(payload);
                if (minSequence < 0 || seq >= minSequence) return at;
            } catch (IOException | RuntimeException notARecord) {
                // a checksum that matches by chance: keep looking
            }
        }
        return -1;
    }

    private static boolean isZero(ByteBuffer file, int from, int length) {
        for (int i = from; i < from + length; i++) if (file.get(i) != 0) return false;
        return true;
    }

    private static int crc32(ByteBuffer file, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(file.duplicate().position(from).limit(from + length));
        return (int) crc.getValue();
    }

    /** Parses a record without applying it; returns its sequence. Throws when its structure is invalid. */
    private static long checkRecord(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        long seq = in.readLong();
        if (seq < 1) throw new IOException("sequence " + seq);
        byte type = in.readByte();
        if (type == RECORD_TRANSACTION) readTransaction(in);
        else if (type != RECORD_ACCOUNTS) throw new IOException("record of unknown type " + type);
        int count = in.readInt();
        if (count < 0 || count > 1024) throw new IOException("account count " + count);
        for (int i = 0; i < count; i++) {
            in.skipNBytes(32 + 8 + 32 + 1 + 8);
            int length = in.readInt();
            if (length < 0 || length > MAX_ACCOUNT_DATA) throw new IOException("account data length " + length);
            int segments = in.readInt();
            if (segments < 0 || segments > length) throw new IOException("segment count " + segments);
            for (int s = 0; s < segments; s++) {
                int offset = in.readInt();
                int n = in.readInt();
                if (offset < 0 || n < 0 || (long) offset + n > length) throw new IOException("segment " + offset + "+" + n + " of " + length);
                in.skipNBytes(n);
            }
        }
        if (in.available() != 0) throw new IOException(in.available() + " bytes after the record");
        return seq;
    }

    long sequence() { return sequence; }

    long walBytes() {
        synchronized (pendingLock) { return appendedMark - walStartMark; }
    }

    /** Queues one committed transaction and its effects; pass the result to {@link #awaitDurable}. */
    Durable appendTransaction(TransactionRecord record, Map<Pubkey, AccountState> before, Map<Pubkey, AccountState> after) {
        return append(RECORD_TRANSACTION, out -> {
            writeTransaction(out, record);
            writeEffects(out, before, after);
        });
    }

    /** Appends direct account writes (genesis, test setup). */
    Durable appendAccounts(Map<Pubkey, AccountState> before, Map<Pubkey, AccountState> after) {
        return append(RECORD_ACCOUNTS, out -> writeEffects(out, before, after));
    }

    private interface Body { void write(DataOutputStream out) throws IOException; }

    private Durable append(byte type, Body body) {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
            DataOutputStream out = new DataOutputStream(buffer);
            out.writeLong(++sequence);
            out.writeByte(type);
            body.write(out);
            out.flush();
            byte[] payload = buffer.toByteArray();
            ByteBuffer frame = ByteBuffer.allocate(8 + payload.length);
            frame.putInt(payload.length).putInt(crc32(payload)).put(payload).flip();
            Durable durable = new Durable();
            synchronized (pendingLock) {
                if (failure != null) throw new UncheckedIOException("the ledger log failed earlier; restart the local chain", failure);
                pending.add(new Pending(frame, durable));
                appendedMark += frame.capacity();
                pendingLock.notifyAll();
            }
            return durable;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize a ledger log record", e);
        }
    }

    /** Returns once {@code record} (and everything queued before it) is on stable storage. */
    void awaitDurable(Durable record) {
        try {
            record.done.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw notDurable(e.getCause());
        }
    }

    /**
     * Completes once {@code record} (and everything queued before it) is on stable storage, on the flusher thread
     * (or at once when it already is), or fails with the exception {@link #awaitDurable} throws.
     */
    java.util.concurrent.CompletableFuture<Void> whenDurable(Durable record) {
        return record.done.handle((ok, failure) -> {
            if (failure != null) throw notDurable(cause(failure));
            return null;
        });
    }

    /** The ledger's directory. */
    Path directory() { return dir; }

    /** Whether {@code t} is the thread that writes and fsyncs the log (it must never wait for the log itself). */
    boolean isFlusher(Thread t) { return t == flusher; }

    /** What a stage failed with, without the CompletionException around it. */
    static RuntimeException cause(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return t instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(t);
    }

    private UncheckedIOException notDurable(Throwable why) {
        return new UncheckedIOException("cannot write and fsync the ledger log " + walPath,
                why instanceof IOException io ? io : new IOException(why));
    }

    /** Waits until everything queued so far is durable. */
    private void flushAll() {
        Durable last;
        synchronized (pendingLock) { last = pending.isEmpty() ? null : pending.get(pending.size() - 1).durable; }
        if (last != null) awaitDurable(last);
    }

    private void flushLoop() {
        while (true) {
            List<Pending> batch;
            synchronized (pendingLock) {
                while (pending.isEmpty() && !closing) {
                    try {
                        pendingLock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending.isEmpty()) return;
                batch = new ArrayList<>(pending);
            }
            Runnable hook = beforeFlush;
            if (hook != null) hook.run();
            try {
                synchronized (fileLock) {
                    ByteBuffer[] buffers = new ByteBuffer[batch.size()];
                    long remaining = 0;
                    for (int i = 0; i < buffers.length; i++) {
                        buffers[i] = batch.get(i).frame;
                        remaining += buffers[i].remaining();
                    }
                    while (remaining > 0) remaining -= wal.write(buffers);
                    wal.force(false);
                }
                synchronized (pendingLock) { pending.subList(0, batch.size()).clear(); }
                for (Pending p : batch) p.durable.done.complete(null);
            } catch (IOException e) {
                synchronized (pendingLock) {
                    failure = e;
                    for (Pending p : pending) p.durable.done.completeExceptionally(e);
                    pending.clear();
                }
                return;
            }
        }
    }

    /** Writes a snapshot of the whole state (call with the ledger locked), then empties the log. */
    void snapshot(Iterable<Map.Entry<Pubkey, AccountState>> accounts, Iterable<TransactionRecord> transactions) {
        flushAll(); // the log is complete up to the snapshot's sequence before it is emptied
        Path tmp = dir.resolve("snapshot.tmp");
        try {
            CRC32 crc = new CRC32();
            try (OutputStream file = Files.newOutputStream(tmp);
                 CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(file, 1 << 16), crc);
                 DataOutputStream out = new DataOutputStream(checked)) {
                out.writeLong(SNAPSHOT_MAGIC);
                out.writeLong(sequence);
                for (Map.Entry<Pubkey, AccountState> e : accounts) {
                    out.writeByte(1);
                    out.write(e.getKey().bytes());
                    writeState(out, e.getValue());
                }
                for (TransactionRecord record : transactions) {
                    out.writeByte(2);
                    writeTransaction(out, record);
                }
                out.writeByte(0);
                out.flush();
                long value = crc.getValue();
                new DataOutputStream(file).writeLong(value);
                file.flush();
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) { channel.force(true); }
            try {
                Files.move(tmp, snapshotPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, snapshotPath, StandardCopyOption.REPLACE_EXISTING);
            }
            fsyncDirectory(dir);
            // records up to `sequence` are now in the snapshot; recovery skips them even if this rewrite is lost
            synchronized (fileLock) {
                wal.truncate(0);
                ByteBuffer header = walHeader(sequence);
                while (header.hasRemaining()) wal.write(header, header.position());
                wal.position(WAL_HEADER_BYTES);
                wal.force(true);
                synchronized (pendingLock) { walStartMark = appendedMark - WAL_HEADER_BYTES; }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a ledger snapshot in " + dir, e);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // some file systems cannot open a directory; the rename is still atomic
        }
    }

    @Override public void close() {
        try {
            if (wal != null && wal.isOpen()) {
                flushAll();
                synchronized (pendingLock) {
                    closing = true;
                    pendingLock.notifyAll();
                }
                if (flusher != null) flusher.join(5_000);
                wal.force(true);
                wal.close();
            }
            releaseLock();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the ledger log " + walPath, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void releaseLock() throws IOException {
        if (lock != null && lock.isValid()) lock.release();
        if (lockChannel != null) lockChannel.close();
    }

    private long readSnapshot(Sink sink) throws IOException {
        byte[] all = Files.readAllBytes(snapshotPath);
        String fix = "restore snapshot.bin from a backup of " + dir + "; it cannot be rebuilt from wal.log, which holds only "
                + "what came after it. Keep the directory as it is for inspection; to start a new chain instead, move " + dir + " aside";
        if (all.length < 8 + 16 + 1) {
            throw new LedgerDamagedException(snapshotPath, all.length, "snapshot.bin is truncated: " + all.length
                    + " bytes, less than an empty snapshot", fix);
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            long[] held = countSnapshot(all);
            throw new LedgerDamagedException(snapshotPath, -1, "snapshot.bin (" + all.length + " bytes) fails its checksum "
                    + "(stored " + Long.toHexString(stored) + ", computed " + Long.toHexString(crc.getValue()) + "): the state up to "
                    + "sequence " + held[0] + " (as its header says) cannot be trusted; it names " + held[1] + " accounts and "
                    + held[2] + " confirmed transactions" + (held[3] < 0 ? "" : " before becoming unreadable at byte " + held[3])
                    + ". The chain did not start and changed nothing", fix);
        }
        try (DataInputStream in = new DataInputStream(new CheckedInputStream(
                new java.io.ByteArrayInputStream(all, 0, all.length - 8), new CRC32()))) {
            if (in.readLong() != SNAPSHOT_MAGIC) throw new IOException(snapshotPath + " is not a ledger snapshot");
            long seq = in.readLong();
            while (true) {
                int kind = in.readByte();
                if (kind == 0) break;
                if (kind == 1) {
                    Pubkey key = Pubkey.of(in.readNBytes(32));
                    sink.account(key, readState(in));
                } else if (kind == 2) {
                    sink.transaction(readTransaction(in));
                } else {
                    throw new IOException("snapshot entry of unknown kind " + kind);
                }
            }
            return seq;
        }
    }

    /** What a damaged snapshot appears to hold: {sequence, accounts, transactions, byte where parsing failed or -1}. */
    private static long[] countSnapshot(byte[] all) {
        long[] held = {-1, 0, 0, -1};
        java.io.ByteArrayInputStream bytes = new java.io.ByteArrayInputStream(all, 0, all.length - 8);
        DataInputStream in = new DataInputStream(bytes);
        try {
            in.readLong();
            held[0] = in.readLong();
            while (true) {
                int kind = in.readByte();
                if (kind == 0) break;
                if (kind == 1) {
                    in.skipNBytes(32);
                    readState(in);
                    held[1]++;
                } else if (kind == 2) {
                    readTransaction(in);
                    held[2]++;
                } else {
                    throw new IOException("unknown entry");
                }
            }
        } catch (IOException | RuntimeException | OutOfMemoryError unreadable) {
            held[3] = all.length - 8 - bytes.available();
        }
        return held;
    }

    private static long applyRecord(byte[] payload, long skipUpTo, Sink sink,
                                    java.util.function.Function<Pubkey, AccountState> current) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        long seq = in.readLong();
        if (seq <= skipUpTo) return seq;
        byte type = in.readByte();
        if (type == RECORD_TRANSACTION) sink.transaction(readTransaction(in));
        else if (type != RECORD_ACCOUNTS) throw new IOException("log record of unknown type " + type);
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            Pubkey key = Pubkey.of(in.readNBytes(32));
            long lamports = in.readLong();
            Pubkey owner = Pubkey.of(in.readNBytes(32));
            boolean executable = in.readBoolean();
            long rentEpoch = in.readLong();
            int length = in.readInt();
            AccountState base = current.apply(key);
            byte[] data = base == null ? new byte[length] : Arrays.copyOf(base.dataUnsafe(), length);
            int segments = in.readInt();
            for (int s = 0; s < segments; s++) {
                int offset = in.readInt();
                int n = in.readInt();
                in.readFully(data, offset, n);
            }
            sink.account(key, AccountState.adopt(lamports, owner, data, executable, rentEpoch));
        }
        return seq;
    }

    /** Each account's new header and only the byte ranges of its data that changed (a tick touches a few bytes of 119 KB). */
    private static void writeEffects(DataOutputStream out, Map<Pubkey, AccountState> before, Map<Pubkey, AccountState> after)
            throws IOException {
        out.writeInt(after.size());
        for (Map.Entry<Pubkey, AccountState> e : after.entrySet()) {
            AccountState post = e.getValue();
            AccountState pre = before.get(e.getKey());
            out.write(e.getKey().bytes());
            out.writeLong(post.lamports());
            out.write(post.owner().bytes());
            out.writeBoolean(post.executable());
            out.writeLong(post.rentEpoch());
            byte[] data = post.dataUnsafe();
            out.writeInt(data.length);
            List<int[]> segments = diff(pre == null ? null : pre.dataUnsafe(), data);
            out.writeInt(segments.size());
            for (int[] s : segments) {
                out.writeInt(s[0]);
                out.writeInt(s[1]);
                out.write(data, s[0], s[1]);
            }
        }
    }

    /** Ranges [offset, length] of {@code data} differing from {@code old} (all of it when sizes differ); near ranges merge. */
    static List<int[]> diff(byte[] old, byte[] data) {
        List<int[]> out = new ArrayList<>();
        if (old == null || old.length != data.length) {
            if (data.length > 0) out.add(new int[] {0, data.length});
            return out;
        }
        int i = 0;
        while (i < data.length) {
            int mismatch = Arrays.mismatch(old, i, data.length, data, i, data.length);
            if (mismatch < 0) break;
            int start = i + mismatch;
            int end = start + 1;
            while (end < data.length) {
                if (old[end] != data[end]) { end++; continue; }
                int same = end;
                while (same < data.length && same - end < 16 && old[same] == data[same]) same++;
                if (same - end >= 16 || same == data.length) break;
                end = same;
            }
            out.add(new int[] {start, end - start});
            i = end;
        }
        return out;
    }

    private static void writeState(DataOutputStream out, AccountState s) throws IOException {
        out.writeLong(s.lamports());
        out.write(s.owner().bytes());
        out.writeBoolean(s.executable());
        out.writeLong(s.rentEpoch());
        out.writeInt(s.dataLength());
        out.write(s.dataUnsafe());
    }

    private static AccountState readState(DataInputStream in) throws IOException {
        long lamports = in.readLong();
        Pubkey owner = Pubkey.of(in.readNBytes(32));
        boolean executable = in.readBoolean();
        long rentEpoch = in.readLong();
        int length = in.readInt();
        if (length < 0 || length > MAX_ACCOUNT_DATA) throw new IOException("account data length " + length);
        byte[] data = in.readNBytes(length);
        return AccountState.adopt(lamports, owner, data, executable, rentEpoch);
    }

    private static void writeTransaction(DataOutputStream out, TransactionRecord r) throws IOException {
        out.write(r.signature());
        out.writeLong(r.slot());
        out.writeLong(r.blockTime());
        out.writeInt(r.wire().length);
        out.write(r.wire());
        TransactionError err = r.err();
        out.writeBoolean(err != null);
        if (err != null) {
            out.writeUTF(err.name());
            out.writeUTF(err.message());
            out.writeInt(err.instructionIndex() == null ? -1 : err.instructionIndex());
            out.writeInt(err.accountIndex() == null ? -1 : err.accountIndex());
            InstructionError ie = err.instructionError();
            out.writeBoolean(ie != null);
            if (ie != null) {
                out.writeUTF(ie.name());
                out.writeBoolean(ie.customCode() != null);
                out.writeLong(ie.customCode() == null ? 0 : ie.customCode());
                out.writeUTF(ie.message());
            }
        }
        out.writeLong(r.fee());
        out.writeLong(r.unitsConsumed());
        out.writeInt(r.logs().size());
        for (String log : r.logs()) out.writeUTF(log.length() > 16_000 ? log.substring(0, 16_000) : log);
        writeLongs(out, r.preBalances());
        writeLongs(out, r.postBalances());
    }

    private static TransactionRecord readTransaction(DataInputStream in) throws IOException {
        byte[] signature = in.readNBytes(64);
        if (signature.length != 64) throw new EOFException("signature");
        long slot = in.readLong();
        long blockTime = in.readLong();
        int wireLength = in.readInt();
        if (wireLength < 0 || wireLength > 1 << 16) throw new IOException("transaction length " + wireLength);
        byte[] wire = in.readNBytes(wireLength);
        if (wire.length != wireLength) throw new EOFException("transaction");
        TransactionError err = null;
        if (in.readBoolean()) {
            String name = in.readUTF();
            String message = in.readUTF();
            int ii = in.readInt();
            int ai = in.readInt();
            InstructionError ie = null;
            if (in.readBoolean()) {
                String ieName = in.readUTF();
                boolean custom = in.readBoolean();
                long code = in.readLong();
                ie = new InstructionError(ieName, custom ? code : null, in.readUTF());
            }
            err = new TransactionError(name, message, ii < 0 ? null : ii, ie, ai < 0 ? null : ai);
        }
        long fee = in.readLong();
        long units = in.readLong();
        int logCount = in.readInt();
        if (logCount < 0 || logCount > 1 << 20) throw new IOException("log count " + logCount);
        List<String> logs = new ArrayList<>(logCount);
        for (int i = 0; i < logCount; i++) logs.add(in.readUTF());
        return new TransactionRecord(signature, slot, blockTime, wire, err, fee, logs, readLongs(in), readLongs(in), units);
    }

    private static void writeLongs(DataOutputStream out, long[] values) throws IOException {
        out.writeInt(values.length);
        for (long v : values) out.writeLong(v);
    }

    private static long[] readLongs(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 256) throw new IOException("balance count " + n); // a transaction has at most 256 accounts
        long[] out = new long[n];
        for (int i = 0; i < out.length; i++) out[i] = in.readLong();
        return out;
    }

    private static int crc32(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return (int) crc.getValue();
    }

}
