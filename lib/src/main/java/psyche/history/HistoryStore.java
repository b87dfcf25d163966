package psyche.history;

import psyche.coordinator.Client;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.InstanceState;
import psyche.coordinator.Round;
import psyche.coordinator.RunState;
import psyche.coordinator.SolanaClient;
import psyche.frames.TreasuryFigures;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only SQLite store of run observations. {@link #record} compares an observed state with what is already
 * stored and writes only what changed, so it can be fed every poll. Not thread-safe: one recorder per store.
 */
public final class HistoryStore implements AutoCloseable {
    private static final String[] SCHEMA = {
            "CREATE TABLE IF NOT EXISTS states (run_id TEXT NOT NULL, at_ms INTEGER NOT NULL, state TEXT NOT NULL,"
                    + " epoch INTEGER NOT NULL, step INTEGER NOT NULL, clients INTEGER NOT NULL, pending_pause INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS states_run ON states(run_id, at_ms)",
            "CREATE TABLE IF NOT EXISTS rounds (run_id TEXT NOT NULL, epoch INTEGER NOT NULL, height INTEGER NOT NULL,"
                    + " data_index INTEGER NOT NULL, batch_size INTEGER NOT NULL, witnesses INTEGER NOT NULL,"
                    + " clients INTEGER NOT NULL, first_seen_ms INTEGER NOT NULL, PRIMARY KEY (run_id, epoch, height))",
            "CREATE TABLE IF NOT EXISTS points (run_id TEXT NOT NULL, at_ms INTEGER NOT NULL, epoch INTEGER NOT NULL,"
                    + " client TEXT NOT NULL, pubkey TEXT NOT NULL, earned INTEGER NOT NULL, slashed INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS points_run ON points(run_id, pubkey, at_ms)",
            "CREATE TABLE IF NOT EXISTS health (run_id TEXT NOT NULL, epoch INTEGER NOT NULL, height INTEGER NOT NULL,"
                    + " client TEXT NOT NULL, pubkey TEXT NOT NULL, state TEXT NOT NULL, at_ms INTEGER NOT NULL,"
                    + " PRIMARY KEY (run_id, epoch, height, pubkey))",
            "CREATE TABLE IF NOT EXISTS treasury (run_id TEXT NOT NULL, at_ms INTEGER NOT NULL, funded INTEGER NOT NULL,"
                    + " claimable INTEGER NOT NULL, claimed INTEGER NOT NULL, burn INTEGER NOT NULL)",
            // training metrics: one row per client per step of a training session, and held-out losses at checkpoints
            "CREATE TABLE IF NOT EXISTS training_steps (run_id TEXT NOT NULL, session TEXT NOT NULL, step INTEGER NOT NULL,"
                    + " client INTEGER NOT NULL, loss REAL NOT NULL, lr REAL NOT NULL, tokens INTEGER NOT NULL,"
                    + " tokens_per_s REAL NOT NULL, step_seconds REAL NOT NULL, result_bytes INTEGER NOT NULL,"
                    + " at_ms INTEGER NOT NULL, PRIMARY KEY (run_id, session, step, client))",
            "CREATE TABLE IF NOT EXISTS training_evals (run_id TEXT NOT NULL, session TEXT NOT NULL, step INTEGER NOT NULL,"
                    + " split TEXT NOT NULL, loss REAL NOT NULL, tokens INTEGER NOT NULL, checkpoint TEXT,"
                    + " at_ms INTEGER NOT NULL, PRIMARY KEY (run_id, session, step, split))",
    };

    /**
     * One client's figures for one step of a training session. {@code loss} is the client's own; {@code lr},
     * {@code tokens} (all clients), {@code tokensPerSecond}, {@code stepSeconds} and {@code resultBytes} (one result on
     * the wire, the mean over the round's clients) are the step's.
     */
    public record TrainingStep(long step, int client, double loss, double lr, long tokens, double tokensPerSecond,
                               double stepSeconds, long resultBytes) {}

    private final Connection db;
    private final String where;

    private HistoryStore(Connection db, String where) {
        this.db = db;
        this.where = where;
    }

    /** Opens (creating if needed) the store in {@code file}. */
    public static HistoryStore open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (java.io.IOException e) {
            throw new HistoryException("cannot create the folder for history file " + file + ": " + e.getMessage(), e);
        }
        HistoryStore store = connect("jdbc:sqlite:" + file.toAbsolutePath(), file.toString());
        psyche.reports.ProvenanceLog.historyStore(file);
        return store;
    }

    /** A store that lives only as long as this object (tests, throwaway simulations). */
    public static HistoryStore inMemory() {
        return connect("jdbc:sqlite::memory:", "memory");
    }

    private static HistoryStore connect(String url, String where) {
        try {
            // The driver is called directly: DriverManager misses drivers loaded by a notebook's class loader.
            Connection c = new org.sqlite.JDBC().connect(url, new java.util.Properties());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                for (String ddl : SCHEMA) s.execute(ddl);
            }
            return new HistoryStore(c, where);
        } catch (SQLException e) {
            throw new HistoryException("cannot open history store " + where + ": " + e.getMessage()
                    + " (is the file a SQLite database written by this workbench?)", e);
        }
    }

    /**
     * Records what changed in {@code observed} since the last observation of the same run. Returns whether anything
     * was written.
     */
    public boolean record(InstanceState observed, Instant at) {
        CoordinatorState c = observed.coordinator();
        String run = c.runId();
        long atMs = at.toEpochMilli();
        return inTransaction(() -> {
            boolean changed = recordState(run, c, atMs);
            changed |= recordRounds(run, c, atMs);
            changed |= recordHealth(run, c, atMs);
            changed |= recordPoints(run, observed, atMs);
            return changed;
        });
    }

    /** Records treasury figures if they differ from the last ones stored for this run. */
    public boolean recordTreasury(String runId, TreasuryFigures f, Instant at) {
        return inTransaction(() -> {
            try (PreparedStatement q = db.prepareStatement("SELECT funded, claimable, claimed, burn FROM treasury"
                    + " WHERE run_id=? ORDER BY at_ms DESC, rowid DESC LIMIT 1")) {
                q.setString(1, runId);
                try (ResultSet r = q.executeQuery()) {
                    if (r.next() && r.getLong(1) == f.funded() && r.getLong(2) == f.claimable()
                            && r.getLong(3) == f.claimed() && r.getLong(4) == f.burnPerEpoch()) return false;
                }
            }
            update("INSERT INTO treasury VALUES (?,?,?,?,?,?)", runId, at.toEpochMilli(), f.funded(), f.claimable(),
                    f.claimed(), f.burnPerEpoch());
            return true;
        });
    }

    /**
     * Records the figures of one training step ({@code session} names one training session of the run, so two
     * sessions can be compared); a step recorded again replaces its rows.
     */
    public synchronized void recordTrainingStep(String runId, String session, List<TrainingStep> rows, Instant at) {
        inTransaction(() -> {
            for (TrainingStep r : rows) {
                update("INSERT OR REPLACE INTO training_steps VALUES (?,?,?,?,?,?,?,?,?,?,?)", runId, session, r.step(),
                        r.client(), r.loss(), r.lr(), r.tokens(), r.tokensPerSecond(), r.stepSeconds(), r.resultBytes(),
                        at.toEpochMilli());
            }
            return !rows.isEmpty();
        });
    }

    /** Records a held-out loss (e.g. {@code split} "valid") of the model at {@code step}, with the checkpoint it was taken on. */
    public synchronized void recordEvaluation(String runId, String session, long step, String split, double loss, long tokens,
                                              String checkpoint, Instant at) {
        inTransaction(() -> update("INSERT OR REPLACE INTO training_evals VALUES (?,?,?,?,?,?,?,?)", runId, session, step,
                split, loss, tokens, checkpoint, at.toEpochMilli()) > 0);
    }

    /**
     * Training steps of {@code runId}: session, step, client, loss, lr, tokens, tokens_per_s, step_seconds,
     * result_bytes, at; ordered by session start, step, client.
     */
    public synchronized Table trainingSteps(String runId) {
        return query(runId, "training steps", "SELECT session, step, client, loss, lr, tokens, tokens_per_s, step_seconds,"
                        + " result_bytes, at_ms FROM training_steps WHERE run_id=? ORDER BY (SELECT MIN(at_ms) FROM training_steps t"
                        + " WHERE t.run_id=training_steps.run_id AND t.session=training_steps.session), session, step, client",
                "session:s", "step:l", "client:i", "loss:d", "lr:d", "tokens:l", "tokens_per_s:d", "step_seconds:d",
                "result_bytes:l", "at:t");
    }

    /** Held-out losses of {@code runId}: session, step, split, loss, tokens, checkpoint, at. */
    public synchronized Table evaluations(String runId) {
        return query(runId, "evaluations", "SELECT session, step, split, loss, tokens, COALESCE(checkpoint, ''), at_ms"
                        + " FROM training_evals WHERE run_id=? ORDER BY at_ms, session, step",
                "session:s", "step:l", "split:s", "loss:d", "tokens:l", "checkpoint:s", "at:t");
    }

    /** Training sessions recorded for {@code runId}, oldest first. */
    public synchronized List<String> trainingSessions(String runId) {
        List<String> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement("SELECT session FROM training_steps WHERE run_id=? GROUP BY session"
                + " ORDER BY MIN(at_ms), session")) {
            p.setString(1, runId);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) out.add(r.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw failure("list training sessions", e);
        }
    }

    /** Run ids with any recorded observation or training step. */
    public List<String> runs() {
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT run_id FROM states UNION SELECT run_id FROM training_steps"
                     + " UNION SELECT run_id FROM training_evals ORDER BY run_id")) {
            while (r.next()) out.add(r.getString(1));
            return out;
        } catch (SQLException e) {
            throw failure("list runs", e);
        }
    }

    /** All recorded history of {@code runId} as tables (empty tables if nothing was recorded). */
    public History history(String runId) {
        return new History(runId,
                query(runId, "states", "SELECT at_ms, state, epoch, step, clients, pending_pause FROM states"
                        + " WHERE run_id=? ORDER BY at_ms, rowid", "at:t", "state:s", "epoch:i", "step:l", "clients:i", "pending_pause:i"),
                query(runId, "rounds", "SELECT epoch, height, data_index, batch_size, witnesses, clients, first_seen_ms"
                        + " FROM rounds WHERE run_id=? ORDER BY epoch, height",
                        "epoch:i", "height:l", "data_index:l", "batch_size:i", "witnesses:i", "clients:i", "first_seen:t"),
                query(runId, "rewards", "SELECT at_ms, epoch, client, pubkey, earned, slashed FROM points"
                        + " WHERE run_id=? ORDER BY at_ms, rowid", "at:t", "epoch:i", "client:s", "pubkey:s", "earned:l", "slashed:l"),
                query(runId, "health", "SELECT epoch, height, client, pubkey, state, at_ms FROM health"
                        + " WHERE run_id=? ORDER BY epoch, height, rowid", "epoch:i", "height:l", "client:s", "pubkey:s", "state:s", "at:t"),
                query(runId, "treasury", "SELECT at_ms, funded, claimable, claimed, claimable - claimed, burn FROM treasury"
                        + " WHERE run_id=? ORDER BY at_ms, rowid", "at:t", "funded:l", "claimable:l", "claimed:l", "unclaimed:l", "burn_per_epoch:l"));
    }

    @Override public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }

    @Override public String toString() { return "HistoryStore[" + where + "]"; }

    private boolean recordState(String run, CoordinatorState c, long atMs) throws SQLException {
        try (PreparedStatement q = db.prepareStatement("SELECT state, epoch, step, clients, pending_pause FROM states"
                + " WHERE run_id=? ORDER BY at_ms DESC, rowid DESC LIMIT 1")) {
            q.setString(1, run);
            try (ResultSet r = q.executeQuery()) {
                if (r.next() && r.getString(1).equals(c.runState().name()) && r.getInt(2) == c.progress().epoch()
                        && r.getLong(3) == c.progress().step() && r.getInt(4) == c.epochState().clients().size()
                        && (r.getInt(5) != 0) == c.pendingPause()) return false;
            }
        }
        update("INSERT INTO states VALUES (?,?,?,?,?,?,?)", run, atMs, c.runState().name(), c.progress().epoch(),
                c.progress().step(), c.epochState().clients().size(), c.pendingPause() ? 1 : 0);
        return true;
    }

    /** Rounds belong to the epoch only while it runs: after Cooldown the ring still holds the old epoch's rounds. */
    private static boolean roundsAreCurrent(RunState s) {
        return s == RunState.RoundTrain || s == RunState.RoundWitness || s == RunState.Cooldown;
    }

    private boolean recordRounds(String run, CoordinatorState c, long atMs) throws SQLException {
        if (!roundsAreCurrent(c.runState())) return false;
        boolean changed = false;
        for (Round r : c.epochState().rounds()) {
            if (r.clientsLen() == 0) continue;
            int size = c.config().globalBatchSize(r.dataIndex() * c.model().maxSeqLen());
            int inserted = update("INSERT INTO rounds VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(run_id, epoch, height)"
                            + " DO UPDATE SET witnesses=excluded.witnesses WHERE witnesses <> excluded.witnesses",
                    run, c.progress().epoch(), r.height(), r.dataIndex(), size, r.witnesses().size(), r.clientsLen(), atMs);
            changed |= inserted > 0;
        }
        return changed;
    }

    private boolean recordHealth(String run, CoordinatorState c, long atMs) throws SQLException {
        if (!roundsAreCurrent(c.runState())) return false;
        long height = c.epochState().rounds().get((int) c.epochState().roundsHead()).height();
        boolean changed = false;
        List<Client> all = new ArrayList<>(c.epochState().clients());
        all.addAll(c.epochState().exitedClients());
        for (Client cl : all) {
            int n = update("INSERT INTO health VALUES (?,?,?,?,?,?,?) ON CONFLICT(run_id, epoch, height, pubkey)"
                            + " DO UPDATE SET state=excluded.state, at_ms=excluded.at_ms WHERE state <> excluded.state",
                    run, c.progress().epoch(), height, cl.id().shortId(), cl.id().signer().toBase58(), cl.state().name(), atMs);
            changed |= n > 0;
        }
        return changed;
    }

    private boolean recordPoints(String run, InstanceState s, long atMs) throws SQLException {
        boolean changed = false;
        for (SolanaClient sc : s.clientsState().clients()) {
            String pubkey = sc.id().signer().toBase58();
            try (PreparedStatement q = db.prepareStatement("SELECT earned, slashed FROM points WHERE run_id=? AND pubkey=?"
                    + " ORDER BY at_ms DESC, rowid DESC LIMIT 1")) {
                q.setString(1, run);
                q.setString(2, pubkey);
                try (ResultSet r = q.executeQuery()) {
                    if (r.next() && r.getLong(1) == sc.earned() && r.getLong(2) == sc.slashed()) continue;
                }
            }
            update("INSERT INTO points VALUES (?,?,?,?,?,?,?)", run, atMs, s.coordinator().progress().epoch(),
                    sc.id().shortId(), pubkey, sc.earned(), sc.slashed());
            changed = true;
        }
        return changed;
    }

    private int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) p.setObject(i + 1, args[i]);
            return p.executeUpdate();
        }
    }

    private interface SqlWork { boolean run() throws SQLException; }

    private boolean inTransaction(SqlWork work) {
        try {
            db.setAutoCommit(false);
            try {
                boolean result = work.run();
                db.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("record", e);
        }
    }

    /** Runs {@code sql} and builds a table from columns described as {@code name:kind} (t instant ms, s, i, l). */
    private Table query(String runId, String name, String sql, String... columns) {
        Table t = Table.create(name + " of " + runId);
        for (String spec : columns) {
            String[] nk = spec.split(":");
            t.addColumns(switch (nk[1]) {
                case "t" -> InstantColumn.create(nk[0]);
                case "s" -> StringColumn.create(nk[0]);
                case "i" -> IntColumn.create(nk[0]);
                case "d" -> tech.tablesaw.api.DoubleColumn.create(nk[0]);
                default -> LongColumn.create(nk[0]);
            });
        }
        try (PreparedStatement p = db.prepareStatement(sql)) {
            p.setString(1, runId);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    for (int i = 0; i < columns.length; i++) {
                        switch (columns[i].split(":")[1]) {
                            case "t" -> t.instantColumn(i).append(Instant.ofEpochMilli(r.getLong(i + 1)));
                            case "s" -> t.stringColumn(i).append(r.getString(i + 1));
                            case "i" -> t.intColumn(i).append(r.getInt(i + 1));
                            case "d" -> t.doubleColumn(i).append(r.getDouble(i + 1));
                            default -> t.longColumn(i).append(r.getLong(i + 1));
                        }
                    }
                }
            }
            return t;
        } catch (SQLException e) {
            throw failure("read " + name, e);
        }
    }

    private HistoryException failure(String what, SQLException e) {
        return new HistoryException("history store " + where + ": could not " + what + ": " + e.getMessage(), e);
    }
}
