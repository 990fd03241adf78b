package dev.steward.agent.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/** The embedded store: one SQLite file in the data dir, in WAL mode, one connection behind a lock. */
public final class SqliteStore implements Store {
    private final Connection db;
    private final ReentrantLock lock = new ReentrantLock();

    public SqliteStore(Path file) {
        this(file, null);
    }

    /**
     * The store in {@code file}; SQLite's native library is kept under {@code nativeDir} when given
     * (the agent's own directory), so that it is not extracted again at every start.
     */
    public SqliteStore(Path file, Path nativeDir) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (nativeDir != null) SqliteNative.prepare(nativeDir);
            // the driver itself, not DriverManager: that would look through every jar for drivers first
            db = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file.toAbsolutePath(), new java.util.Properties());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
            }
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open the store at " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<String> get(String key) {
        return locked(() -> {
            try (PreparedStatement ps = db.prepareStatement("SELECT value FROM kv WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Map<String, String> list(String prefix) {
        return locked(() -> {
            try (PreparedStatement ps = db.prepareStatement("SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key")) {
                ps.setString(1, prefix);
                ps.setString(2, prefix + Character.MAX_VALUE);
                Map<String, String> out = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), rs.getString(2));
                }
                return out;
            }
        });
    }

    @Override
    public void apply(Map<String, String> puts, List<String> deletes) {
        locked(() -> {
            db.setAutoCommit(false);
            try (PreparedStatement del = db.prepareStatement("DELETE FROM kv WHERE key = ?");
                 PreparedStatement put = db.prepareStatement("INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
                for (String k : deletes) {
                    del.setString(1, k);
                    del.executeUpdate();
                }
                for (Map.Entry<String, String> e : puts.entrySet()) {
                    put.setString(1, e.getKey());
                    put.setString(2, e.getValue());
                    put.executeUpdate();
                }
                db.commit();
            } catch (SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
            return null;
        });
    }

    /** Compares and applies under the one connection's lock, so no other write comes between. */
    @Override
    public boolean compareAndApply(Map<String, Optional<String>> expected, Map<String, String> puts, List<String> deletes) {
        lock.lock();
        try {
            for (Map.Entry<String, Optional<String>> e : expected.entrySet()) {
                if (!get(e.getKey()).equals(e.getValue())) return false;
            }
            apply(puts, deletes);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void deletePrefix(String prefix) {
        locked(() -> {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM kv WHERE key >= ? AND key < ?")) {
                ps.setString(1, prefix);
                ps.setString(2, prefix + Character.MAX_VALUE);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void close() {
        locked(() -> {
            db.close();
            return null;
        });
    }

    private interface Sql<T> {
        T run() throws SQLException;
    }

    private <T> T locked(Sql<T> work) {
        lock.lock();
        try {
            return work.run();
        } catch (SQLException e) {
            throw new StoreException("store: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
