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
    private long appendedBytes;        // written to the channel (guarded by the ledger's lock)
    private volatile long appendedMark; // total bytes ever appended, for group commit
    private long durableMark;           // guarded by syncLock
    private final Object syncLock = new Object();
    private long sequence;

    LedgerStore(Path dir) {
        this.dir = dir;
        this.walPath = dir.resolve("wal.log");
        this.snapshotPath = dir.resolve("snapshot.bin");
    }

    /** Loads snapshot + log into {@code sink}, truncates a torn tail, and opens the log for appending. */
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
            long snapshotSeq = 0;
            if (Files.exists(snapshotPath)) snapshotSeq = readSnapshot(sink);
            sequence = snapshotSeq;
            long validLength = 0;
            if (Files.exists(walPath)) {
                try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(walPath), 1 << 16))) {
                    while (true) {
                        int length;
                        try { length = in.readInt(); } catch (EOFException end) { break; }
                        int crc;
                        byte[] payload;
                        try {
                            crc = in.readInt();
                            if (length < 0 || length > (1 << 30)) break;
                            payload = in.readNBytes(length);
                        } catch (EOFException torn) { break; }
                        if (payload.length != length || crc32(payload) != crc) break;
                        long seq = applyRecord(payload, snapshotSeq, sink, current);
                        if (seq > sequence) sequence = seq;
                        validLength += 8 + length;
                    }
                }
            }
            wal = FileChannel.open(walPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            if (wal.size() > validLength) wal.truncate(validLength); // a torn record was never confirmed
            wal.position(validLength);
            wal.force(true);
            appendedBytes = validLength;
            appendedMark = validLength;
            durableMark = validLength;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover the local chain ledger in " + dir + " (use --reset to start over)", e);
        }
    }

    long sequence() { return sequence; }

    long walBytes() { return appendedBytes; }

    /** Appends one committed transaction and its effects; returns the mark to pass to {@link #awaitDurable}. */
    long appendTransaction(TransactionRecord record, Map<Pubkey, AccountState> before, Map<Pubkey, AccountState> after) {
        return append(RECORD_TRANSACTION, out -> {
            writeTransaction(out, record);
            writeEffects(out, before, after);
        });
    }

    /** Appends direct account writes (genesis, test setup). */
    long appendAccounts(Map<Pubkey, AccountState> before, Map<Pubkey, AccountState> after) {
        return append(RECORD_ACCOUNTS, out -> writeEffects(out, before, after));
    }

    private interface Body { void write(DataOutputStream out) throws IOException; }

    private long append(byte type, Body body) {
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
            while (frame.hasRemaining()) wal.write(frame);
            appendedBytes += frame.capacity();
            appendedMark = appendedBytes;
            return appendedBytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the ledger log " + walPath, e);
        }
    }

    /** Returns once every byte up to {@code mark} is on stable storage; concurrent callers share one fsync. */
    void awaitDurable(long mark) {
        synchronized (syncLock) {
            if (durableMark >= mark) return;
            long target = appendedMark;
            try {
                wal.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot fsync the ledger log " + walPath, e);
            }
            durableMark = Math.max(durableMark, target);
        }
    }

    /** Writes a snapshot of the whole state (call with the ledger locked), then empties the log. */
    void snapshot(Iterable<Map.Entry<Pubkey, AccountState>> accounts, Iterable<TransactionRecord> transactions) {
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
            fsyncDirectory();
            // records up to `sequence` are now in the snapshot; recovery skips them even if this truncate is lost
            synchronized (syncLock) {
                wal.truncate(0);
                wal.position(0);
                wal.force(true);
                appendedBytes = 0;
                appendedMark = 0;
                durableMark = 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a ledger snapshot in " + dir, e);
        }
    }

    private void fsyncDirectory() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // some file systems cannot open a directory; the rename is still atomic
        }
    }

    @Override public void close() {
        try {
            if (wal != null && wal.isOpen()) { wal.force(true); wal.close(); }
            if (lock != null && lock.isValid()) lock.release();
            if (lockChannel != null) lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the ledger log " + walPath, e);
        }
    }

    private long readSnapshot(Sink sink) throws IOException {
        byte[] all = Files.readAllBytes(snapshotPath);
        if (all.length < 8 + 16 + 1) throw new IOException("snapshot " + snapshotPath + " is truncated");
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (stored != crc.getValue()) throw new IOException("snapshot " + snapshotPath + " fails its checksum");
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
        byte[] data = in.readNBytes(in.readInt());
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
        long slot = in.readLong();
        long blockTime = in.readLong();
        byte[] wire = in.readNBytes(in.readInt());
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
        List<String> logs = new ArrayList<>(logCount);
        for (int i = 0; i < logCount; i++) logs.add(in.readUTF());
        return new TransactionRecord(signature, slot, blockTime, wire, err, fee, logs, readLongs(in), readLongs(in), units);
    }

    private static void writeLongs(DataOutputStream out, long[] values) throws IOException {
        out.writeInt(values.length);
        for (long v : values) out.writeLong(v);
    }

    private static long[] readLongs(DataInputStream in) throws IOException {
        long[] out = new long[in.readInt()];
        for (int i = 0; i < out.length; i++) out[i] = in.readLong();
        return out;
    }

    private static int crc32(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return (int) crc.getValue();
    }

}
