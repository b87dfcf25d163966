package psyche.chain.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Stream;

import psyche.chain.Keypair;
import psyche.chain.Message;
import psyche.chain.Rent;
import psyche.chain.Transaction;
import psyche.coordinator.Hashing;
import psyche.chain.local.programs.AssociatedTokenProgram;
import psyche.chain.local.programs.SystemProgram;
import psyche.chain.local.programs.TokenProgram;
import psyche.coordinator.Pubkey;

/**
 * The local chain's state and its transaction processor: accounts, the slot clock (400 ms per slot, injectable),
 * recent blockhashes (valid for {@value #BLOCKHASH_VALIDITY_SLOTS} slots), signature statuses, the faucet, and,
 * when given a directory, durability (a write-ahead log fsynced before a commit returns, plus snapshots).
 *
 * <p>Transactions execute one at a time under one lock; reads ({@link #account}, {@link #transaction}) never block.
 */
public final class Ledger implements AutoCloseable {
    public static final long SLOT_MILLIS = 400;
    public static final int BLOCKHASH_VALIDITY_SLOTS = 150;
    public static final long SLOTS_PER_EPOCH = 432_000;
    public static final long FAUCET_LAMPORTS = 500_000_000L * Rent.LAMPORTS_PER_SOL;
    /** Snapshot when the log grows past this many bytes (and on close). */
    static final long SNAPSHOT_AFTER_WAL_BYTES = 64L << 20;
    private final long snapshotAfterWalBytes;
    public static final Pubkey NATIVE_LOADER = Pubkey.fromBase58("NativeLoader1111111111111111111111111111111");
    public static final Pubkey BPF_LOADER_UPGRADEABLE = Pubkey.fromBase58("BPFLoaderUpgradeab1e11111111111111111111111");

    private final Clock clock;
    private final Map<Pubkey, Program> programs;
    private final ConcurrentHashMap<Pubkey, AccountState> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ByteBuffer, TransactionRecord> transactions = new ConcurrentHashMap<>(); // durable only
    // committed in memory, waiting for the log's fsync: not yet reported to anyone, but already a duplicate
    private final ConcurrentHashMap<ByteBuffer, TransactionRecord> awaitingFsync = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final LedgerStore store; // null: in memory only
    private final byte[] genesisHash;
    private final long genesisMillis;
    private final Keypair faucet;
    private final Map<ByteBuffer, Long> recentBlockhashes = new HashMap<>();
    private long blockhashesFilledTo = -1;
    private volatile long transactionCount;
    private final java.util.concurrent.CopyOnWriteArrayList<CommitListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Told about every durable commit (subscriptions): the transaction (null for direct account writes) and the
     * accounts it changed. Called on the committing thread or, for {@link #submitAsync}, on the log's flusher: it must
     * not block, and never commit (a commit there would wait for the flusher it runs on).
     */
    public interface CommitListener {
        void committed(TransactionRecord record, java.util.Set<Pubkey> changedAccounts, long slot);
    }

    public void addCommitListener(CommitListener listener) { listeners.add(listener); }

    public void removeCommitListener(CommitListener listener) { listeners.remove(listener); }

    private void notifyListeners(TransactionRecord record, java.util.Set<Pubkey> changed) {
        for (CommitListener l : listeners) {
            try {
                l.committed(record, changed, slot());
            } catch (RuntimeException e) {
                // a broken subscriber must not fail a confirmed transaction
            }
        }
    }
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean snapshotQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile String lastSnapshotFailure; // told on stderr once (see maybeSnapshotElsewhere)

    private Ledger(Path dir, boolean reset, Clock clock, List<Program> extraPrograms, long snapshotAfterWalBytes) {
        this.clock = clock;
        this.snapshotAfterWalBytes = snapshotAfterWalBytes;
        Map<Pubkey, Program> all = new LinkedHashMap<>();
        for (Program p : List.of(new SystemProgram(), new TokenProgram(), new AssociatedTokenProgram())) all.put(p.id(), p);
        for (Program p : extraPrograms) {
            if (all.put(p.id(), p) != null) throw new IllegalArgumentException("two programs with id " + p.id());
        }
        this.programs = Map.copyOf(all);
        if (dir == null) {
            store = null;
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            genesisHash = Hashing.sha256(random);
            genesisMillis = clock.millis();
            faucet = Keypair.generate();
            installGenesisAccounts(true);
        } else {
            try {
                if (reset) deleteLedger(dir);
                Files.createDirectories(dir);
                Path genesisFile = dir.resolve("genesis.properties");
                boolean fresh = !Files.exists(genesisFile);
                if (fresh) LedgerStore.prepareFresh(dir); // refuses history without its genesis; from here a missing log is damage
                Properties genesis = fresh ? writeGenesis(genesisFile, clock) : readGenesis(genesisFile);
                genesisHash = genesisBytes(genesisFile, genesis, "genesis_hash", 32);
                genesisMillis = genesisMillis(genesisFile, genesis);
                faucet = Keypair.fromSeed(genesisBytes(genesisFile, genesis, "faucet_seed", 32));
                store = new LedgerStore(dir);
                store.recover(new LedgerStore.Sink() {
                    @Override public void account(Pubkey key, AccountState state) { putAccount(key, state); }
                    @Override public void transaction(TransactionRecord r) { transactions.put(ByteBuffer.wrap(r.signature()), r); }
                }, accounts::get);
                transactionCount = transactions.size();
                if (fresh || store.sequence() == 0) installGenesisAccounts(true);
                else installGenesisAccounts(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the local chain ledger in " + dir, e);
            }
        }
    }

    /** A ledger kept only in memory (tests, throwaway sessions). */
    public static Ledger inMemory(Clock clock, List<Program> programs) { return new Ledger(null, false, clock, programs, SNAPSHOT_AFTER_WAL_BYTES); }

    /** A ledger persisted under {@code dir}, recovered from it when present; {@code reset} deletes it first. */
    public static Ledger open(Path dir, boolean reset, Clock clock, List<Program> programs) {
        return new Ledger(dir, reset, clock, programs, SNAPSHOT_AFTER_WAL_BYTES);
    }

    /** As {@link #open}, snapshotting whenever the log passes {@code snapshotAfterWalBytes} (tests). */
    static Ledger open(Path dir, boolean reset, Clock clock, List<Program> programs, long snapshotAfterWalBytes) {
        return new Ledger(dir, reset, clock, programs, snapshotAfterWalBytes);
    }

    private void installGenesisAccounts(boolean withFaucet) {
        // program accounts come from code, not from the ledger: a restart with other programs shows those
        for (Program p : programs.values()) {
            accounts.put(p.id(), AccountState.adopt(1, p.isNative() ? NATIVE_LOADER : BPF_LOADER_UPGRADEABLE,
                    new byte[0], true, AccountState.DEFAULT_RENT_EPOCH));
        }
        if (withFaucet) {
            setAccount(faucet.publicKey(), AccountState.adopt(FAUCET_LAMPORTS, Pubkey.SYSTEM, new byte[0], false,
                    AccountState.DEFAULT_RENT_EPOCH));
        }
    }

    private static Properties writeGenesis(Path file, Clock clock) throws IOException {
        SecureRandom random = new SecureRandom();
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        byte[] hashSeed = new byte[32];
        random.nextBytes(hashSeed);
        Properties p = new Properties();
        p.setProperty("genesis_hash", Pubkey.base58Encode(Hashing.sha256(hashSeed)));
        p.setProperty("genesis_unix_millis", Long.toString(clock.millis()));
        p.setProperty("faucet_seed", Pubkey.base58Encode(seed)); // the local faucet's key, like solana-test-validator's faucet-keypair.json
        Path tmp = file.resolveSibling("genesis.tmp");
        Files.deleteIfExists(tmp);
        java.util.Set<StandardOpenOption> options = java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        // the faucet key: readable by its owner only from the first byte, like ~/.config/solana/id.json
        try (FileChannel channel = psyche.chain.Keypair.openOwnerOnly(tmp, options);
             OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
            p.store(out, "local chain genesis: do not edit");
            out.flush();
            channel.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return p;
    }

    private static byte[] genesisBytes(Path file, Properties genesis, String key, int length) {
        String value = genesis.getProperty(key);
        byte[] bytes = null;
        try {
            if (value != null) bytes = Pubkey.base58Decode(value.trim());
        } catch (RuntimeException notBase58) {
            bytes = null;
        }
        if (bytes == null || bytes.length != length) throw damagedGenesis(file, key + (value == null ? " is missing" : " is not "
                + length + " base58 bytes"));
        return bytes;
    }

    private static long genesisMillis(Path file, Properties genesis) {
        try {
            return Long.parseLong(genesis.getProperty("genesis_unix_millis", "").trim());
        } catch (NumberFormatException e) {
            throw damagedGenesis(file, "genesis_unix_millis is missing or not a number");
        }
    }

    private static LedgerDamagedException damagedGenesis(Path file, String what) {
        return new LedgerDamagedException(file, -1, "genesis.properties is unreadable: " + what,
                "restore genesis.properties from a backup of " + file.getParent() + " (it holds the faucet key and genesis "
                        + "hash, which cannot be rebuilt); to start a new chain instead, move " + file.getParent() + " aside");
    }

    /**
     * Explicit repair of a ledger that refused to start: keeps a copy of the log, then cuts it at its first damaged
     * record (every record before it is kept). Returns what it did. The ledger must not be open.
     */
    public static String repair(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("no ledger directory at " + dir);
        return LedgerStore.repair(dir);
    }

    private static Properties readGenesis(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) { p.load(in); }
        return p;
    }

    private static void deleteLedger(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        for (String name : List.of("genesis.properties", "genesis.tmp", "wal.log", "snapshot.bin", "snapshot.tmp")) {
            Files.deleteIfExists(dir.resolve(name));
        }
    }

    private void putAccount(Pubkey key, AccountState state) {
        if (state.lamports() == 0 && state.dataLength() == 0) accounts.remove(key);
        else accounts.put(key, state);
    }

    // ---------------------------------------------------------------- reads

    /** The account at {@code key}, or null when it does not exist. */
    public AccountState account(Pubkey key) { return accounts.get(key); }

    /** Accounts owned by {@code owner} that pass {@code filter}, ordered by address. */
    public List<Map.Entry<Pubkey, AccountState>> programAccounts(Pubkey owner, Predicate<AccountState> filter) {
        List<Map.Entry<Pubkey, AccountState>> out = new ArrayList<>();
        for (Map.Entry<Pubkey, AccountState> e : accounts.entrySet()) {
            AccountState s = e.getValue();
            if (s.owner().equals(owner) && filter.test(s)) out.add(Map.entry(e.getKey(), s));
        }
        out.sort(Map.Entry.comparingByKey());
        return out;
    }

    public Collection<Program> programs() { return programs.values(); }

    public Optional<TransactionRecord> transaction(byte[] signature) {
        return Optional.ofNullable(transactions.get(ByteBuffer.wrap(signature)));
    }

    public long transactionCount() { return transactionCount; }

    public Pubkey faucet() { return faucet.publicKey(); }

    public byte[] genesisHash() { return genesisHash.clone(); }

    public Clock clock() { return clock; }

    // ---------------------------------------------------------------- slots and blockhashes

    /** The current slot: 400 ms of the clock per slot since genesis. */
    public long slot() { return Math.max(0, (clock.millis() - genesisMillis) / SLOT_MILLIS); }

    /** Unix seconds of the clock sysvar. */
    public long unixTimestamp() { return Math.floorDiv(clock.millis(), 1000); }

    public byte[] blockhash(long slot) {
        return Hashing.sha256(genesisHash, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(slot).array());
    }

    public byte[] latestBlockhash() { return blockhash(slot()); }

    /** The last block height at which a blockhash of {@code slot} is still accepted. */
    public static long lastValidBlockHeight(long slot) { return slot + BLOCKHASH_VALIDITY_SLOTS; }

    /** The slot of {@code hash} when it is among the last {@value #BLOCKHASH_VALIDITY_SLOTS} slots' hashes, else -1. */
    public synchronized long blockhashSlot(byte[] hash) {
        long now = slot();
        long from = Math.max(0, now - BLOCKHASH_VALIDITY_SLOTS);
        for (long s = Math.max(from, blockhashesFilledTo + 1); s <= now; s++) recentBlockhashes.put(ByteBuffer.wrap(blockhash(s)), s);
        blockhashesFilledTo = Math.max(blockhashesFilledTo, now);
        if (recentBlockhashes.size() > 4 * BLOCKHASH_VALIDITY_SLOTS) recentBlockhashes.values().removeIf(s -> s < from);
        Long s = recentBlockhashes.get(ByteBuffer.wrap(hash));
        return s != null && s >= from && s <= now ? s : -1;
    }

    public boolean isBlockhashValid(byte[] hash) { return blockhashSlot(hash) >= 0; }

    public static long fee(WireTransaction tx) { return Rent.LAMPORTS_PER_SIGNATURE * tx.numRequiredSignatures(); }

    // ---------------------------------------------------------------- execution

    /** Runs {@code tx} against the current state without committing (simulateTransaction). */
    public SimulationResult simulate(WireTransaction tx, boolean verifySignatures, boolean replaceRecentBlockhash) {
        boolean signaturesOk = !verifySignatures || tx.verifySignatures();
        lock.lock();
        try {
            Attempt attempt = attempt(tx, signaturesOk, !replaceRecentBlockhash);
            return new SimulationResult(attempt.error, attempt.logs(), attempt.units(), slot());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Executes and commits {@code tx}, returning once it is durable. With {@code preflight}, a transaction that
     * would fail is rejected whole (no fee), as Solana's preflight simulation does; without it, a failing
     * transaction lands, pays its fee and records its error. Checks before execution (signatures, blockhash,
     * duplicates, fee payer) always reject.
     *
     * @throws TransactionRejectedException when nothing was committed
     */
    public TransactionRecord submit(WireTransaction tx, boolean preflight) {
        Committed c = commit(tx, preflight);
        if (c.mark != null) {
            try {
                store.awaitDurable(c.mark);
            } catch (RuntimeException notDurable) {
                throw c.notDurable(notDurable);
            }
        }
        return c.durable(true);
    }

    /**
     * As {@link #submit}, without waiting: {@code tx} is verified, executed and appended to the log on the calling
     * thread, and rejected there exactly as {@code submit} rejects it (thrown, nothing committed); the future
     * completes with the record once it is durable (on the log's flush thread, which also tells the commit
     * listeners), or fails with the {@link UncheckedIOException} {@code submit} would throw. A ledger in memory
     * completes it at once. Nothing chained to it may block: it runs on the thread that fsyncs the log.
     *
     * @throws TransactionRejectedException when nothing was committed
     */
    public CompletableFuture<TransactionRecord> submitAsync(WireTransaction tx, boolean preflight) {
        Committed c = commit(tx, preflight);
        if (c.mark == null) return CompletableFuture.completedFuture(c.durable(true));
        return store.whenDurable(c.mark).handle((ok, failure) -> {
            if (failure != null) throw c.notDurable(LedgerStore.cause(failure));
            // when the fsync is already done this runs here, on the caller's thread; else on the log's flusher,
            // which must not take the ledger's lock to snapshot (the snapshot waits for that very flusher)
            return c.durable(!store.isFlusher(Thread.currentThread()));
        });
    }

    /** A transaction committed in memory and queued on the log ({@code mark}; null without a store). */
    private final class Committed {
        final TransactionRecord record;
        final java.util.Set<Pubkey> changed;
        final LedgerStore.Durable mark;

        Committed(TransactionRecord record, java.util.Set<Pubkey> changed, LedgerStore.Durable mark) {
            this.record = record;
            this.changed = changed;
            this.mark = mark;
        }

        /** The log failed before it was durable: it stays a duplicate of nothing; the log is failed anyway. */
        RuntimeException notDurable(RuntimeException why) {
            awaitingFsync.remove(ByteBuffer.wrap(record.signature()));
            return why;
        }

        /** Durable (or in memory only): reported from here on; {@code snapshotHere} false hands a due snapshot to another thread. */
        TransactionRecord durable(boolean snapshotHere) {
            if (mark != null) {
                // only now may anyone see it as processed (and so finalized): it is on stable storage
                ByteBuffer key = ByteBuffer.wrap(record.signature());
                transactions.put(key, record);
                awaitingFsync.remove(key);
                synchronized (awaitingFsync) { transactionCount++; }
                if (snapshotHere) maybeSnapshot();
                else maybeSnapshotElsewhere();
            }
            if (!listeners.isEmpty()) notifyListeners(record, changed);
            return record;
        }
    }

    /** The part of a commit done under the lock: checks, execution, the log append, the new state in memory. */
    private Committed commit(WireTransaction tx, boolean preflight) {
        if (closed) throw new IllegalStateException("the ledger is closed");
        TransactionRecord record;
        java.util.Set<Pubkey> changed;
        LedgerStore.Durable mark = null;
        boolean signaturesOk = tx.verifySignatures(); // outside the lock: verification is most of the work
        lock.lock();
        try {
            Attempt attempt = attempt(tx, signaturesOk, true);
            if (attempt.execution == null) throw new TransactionRejectedException(attempt.error, List.of(), 0, false);
            if (attempt.error != null && preflight) {
                throw new TransactionRejectedException(attempt.error, attempt.logs(), attempt.units(), true);
            }
            TransactionExecution ex = attempt.execution;
            Map<Pubkey, AccountState> before = new LinkedHashMap<>();
            Map<Pubkey, AccountState> after;
            if (attempt.error == null) {
                after = ex.modifiedAccounts();
            } else {
                // failed transactions still pay: only the fee payer's debit survives
                TransactionExecution.TxAccount payer = ex.account(0);
                after = Map.of(payer.key, AccountState.adopt(payer.before.lamports() - attempt.fee, payer.before.owner(),
                        payer.before.dataUnsafe(), payer.before.executable(), payer.before.rentEpoch()));
            }
            for (Pubkey key : after.keySet()) before.put(key, accounts.getOrDefault(key, AccountState.empty()));
            long[] post = ex.balances(true);
            if (attempt.error != null) {
                post = ex.balances(false);
                post[0] -= attempt.fee;
            }
            record = new TransactionRecord(tx.signature(), attempt.slot, unixTimestamp(), tx.bytes(), attempt.error,
                    attempt.fee, attempt.logs(), ex.balances(false), post, attempt.units());
            if (store != null) mark = store.appendTransaction(record, before, after);
            for (Map.Entry<Pubkey, AccountState> e : after.entrySet()) putAccount(e.getKey(), e.getValue());
            changed = after.keySet();
            if (store == null) {
                transactions.put(ByteBuffer.wrap(record.signature()), record);
                transactionCount++;
            } else {
                awaitingFsync.put(ByteBuffer.wrap(record.signature()), record);
            }
        } finally {
            lock.unlock();
        }
        return new Committed(record, changed, mark);
    }

    /** {@link #maybeSnapshot} on a thread of its own (at most one queued at a time): for the log's flusher. */
    private void maybeSnapshotElsewhere() {
        if (store.walBytes() < snapshotAfterWalBytes || !snapshotQueued.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> {
            try {
                maybeSnapshot();
            } catch (RuntimeException e) {
                // the commits are durable in the log either way and the next commit past the limit tries again, but
                // nobody waits on this thread to hear of it: the operator is told, once per distinct failure
                String why = String.valueOf(e.getMessage());
                if (!why.equals(lastSnapshotFailure)) {
                    lastSnapshotFailure = why;
                    System.err.println("local chain: cannot snapshot the ledger in " + store.directory() + " (" + why + "); every commit"
                            + " stays durable in wal.log, which keeps growing until a snapshot succeeds: free disk space"
                            + " there, or stop the chain and start it again on the same --ledger directory");
                }
            } finally {
                snapshotQueued.set(false);
            }
        }, "local-chain-snapshot");
        t.setDaemon(true);
        t.start();
    }

    private void maybeSnapshot() {
        if (store.walBytes() < snapshotAfterWalBytes) return;
        lock.lock();
        try {
            if (!closed && store.walBytes() >= snapshotAfterWalBytes) snapshotLocked(); // close() snapshots itself
        } finally {
            lock.unlock();
        }
    }

    /** Tests only: {@code hook} runs on the log's flusher before each write and fsync (null: none). */
    void beforeFlush(Runnable hook) {
        if (store == null) throw new IllegalStateException("an in-memory ledger has no log");
        store.beforeFlush = hook;
    }

    /** Writes a snapshot now and empties the log (also done on close). */
    public void snapshot() {
        if (store == null) return;
        lock.lock();
        try {
            snapshotLocked();
        } finally {
            lock.unlock();
        }
    }

    private void snapshotLocked() {
        Stream<Map.Entry<Pubkey, AccountState>> stored = accounts.entrySet().stream()
                .filter(e -> !programs.containsKey(e.getKey()));
        // records awaiting their fsync are in the log already (the snapshot waits for it): leaving them out would lose
        // them. Read that map first: a record moves by put-then-remove, so it is seen in at least one of the two.
        Map<ByteBuffer, TransactionRecord> all = new HashMap<>(awaitingFsync);
        all.putAll(transactions);
        List<TransactionRecord> records = new ArrayList<>(all.values());
        records.sort(Comparator.comparingLong(TransactionRecord::slot));
        store.snapshot(stored::iterator, records);
    }

    /** Overwrites an account directly, durably (genesis, tests, tools that seed state). */
    public void setAccount(Pubkey key, AccountState state) {
        LedgerStore.Durable mark = null;
        lock.lock();
        try {
            if (store != null) {
                mark = store.appendAccounts(Map.of(key, accounts.getOrDefault(key, AccountState.empty())), Map.of(key, state));
            }
            putAccount(key, state);
        } finally {
            lock.unlock();
        }
        if (store != null) store.awaitDurable(mark);
        if (!listeners.isEmpty()) notifyListeners(null, java.util.Set.of(key));
    }

    /** Sends {@code lamports} from the faucet to {@code to} in a signed system transfer; returns its record. */
    public TransactionRecord airdrop(Pubkey to, long lamports) {
        if (lamports <= 0) throw new IllegalArgumentException("airdrop amount must be positive, got " + lamports);
        byte[] data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(2).putLong(lamports).array();
        // a random unused account key makes every airdrop a distinct transaction, even the same one twice in a slot
        byte[] reference = new byte[32];
        new SecureRandom().nextBytes(reference);
        // payer (signer), target (writable), reference and program (readonly): the reference is in no instruction
        Message message = new Message(1, 0, 2, List.of(faucet.publicKey(), to, Pubkey.of(reference), SystemProgram.ID),
                latestBlockhash(), List.of(new Message.CompiledInstruction(3, new int[] {0, 1}, data)));
        return submit(WireTransaction.parse(Transaction.sign(message, faucet).toWire()), true);
    }

    private record Attempt(TransactionError error, TransactionExecution execution, long fee, long slot) {
        List<String> logs() { return execution == null ? List.of() : execution.logs; }
        long units() { return execution == null ? 0 : execution.unitsConsumed; }
    }

    /** Pre-execution checks then execution, under the lock; {@code execution} is null when the checks failed. */
    private Attempt attempt(WireTransaction tx, boolean signaturesOk, boolean checkBlockhash) {
        long slot = slot();
        long fee = fee(tx);
        if (!signaturesOk) return new Attempt(TransactionError.SIGNATURE_FAILURE, null, fee, slot);
        ByteBuffer firstSignature = ByteBuffer.wrap(tx.signatures().get(0));
        if (transactions.containsKey(firstSignature) || awaitingFsync.containsKey(firstSignature)) {
            return new Attempt(TransactionError.ALREADY_PROCESSED, null, fee, slot);
        }
        if (checkBlockhash && !isBlockhashValid(tx.recentBlockhash())) {
            return new Attempt(TransactionError.BLOCKHASH_NOT_FOUND, null, fee, slot);
        }
        AccountState payer = accounts.get(tx.feePayer());
        if (payer == null || payer.lamports() == 0) return new Attempt(TransactionError.ACCOUNT_NOT_FOUND, null, fee, slot);
        if (!payer.owner().equals(Pubkey.SYSTEM) || payer.executable()) {
            return new Attempt(TransactionError.INVALID_ACCOUNT_FOR_FEE, null, fee, slot);
        }
        long remaining = payer.lamports() - fee;
        if (remaining < 0 || remaining > 0 && remaining < Rent.exemptMinimum(payer.dataLength())) {
            return new Attempt(TransactionError.INSUFFICIENT_FUNDS_FOR_FEE, null, fee, slot);
        }
        for (Message.CompiledInstruction ix : tx.instructions()) {
            if (!programs.containsKey(tx.accountKeys().get(ix.programIdIndex()))) {
                return new Attempt(TransactionError.PROGRAM_ACCOUNT_NOT_FOUND, null, fee, slot);
            }
        }
        TransactionExecution ex = new TransactionExecution(tx, accounts::get, programs, slot, unixTimestamp());
        ex.account(0).lamports -= fee;
        TransactionError error = ex.run();
        if (error == null) {
            int rentPaying = ex.firstRentPayingAccount();
            if (rentPaying >= 0) error = TransactionError.insufficientFundsForRent(rentPaying);
        }
        return new Attempt(error, ex, fee, slot);
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        if (store != null) {
            lock.lock();
            try {
                snapshotLocked();
                store.close();
            } finally {
                lock.unlock();
            }
        }
    }
}
