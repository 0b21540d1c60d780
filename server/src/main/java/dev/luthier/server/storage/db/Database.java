package dev.luthier.server.storage.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The relational store behind the server: a connection pool over SQLite (the embedded default) or PostgreSQL, with
 * the schema brought up to date by Flyway from {@code db/migration} when it opens.
 *
 * <p>All access goes through {@link #read} and {@link #write}. Each runs its work in one transaction; a call made
 * inside another on the same thread joins it, so repositories compose into larger transactions. With SQLite,
 * which allows one writer per file, writes are serialised by a lock in this object and readers run beside them
 * (WAL journal), so no thread of this process ever sees "database is locked"; a busy timeout covers other
 * processes that open the same file.
 */
public final class Database implements AutoCloseable {
    /** Where the migrations live on the classpath. */
    public static final String MIGRATIONS = "classpath:db/migration";

    private final DatabaseSettings settings;
    private final Dialect dialect;
    private final HikariDataSource pool;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final ThreadLocal<Transaction> current = new ThreadLocal<>();
    private final int migrationsApplied;

    private record Transaction(Connection connection, boolean writable) {
    }

    private Database(DatabaseSettings settings) {
        this.settings = settings;
        this.dialect = settings.dialect();
        if (dialect == Dialect.SQLITE) {
            enableWal(settings);
        }
        this.pool = new HikariDataSource(poolConfig(settings));
        try {
            this.migrationsApplied = migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Opens the database and applies any migrations not yet applied. */
    public static Database open(DatabaseSettings settings) {
        return new Database(settings);
    }

    public Dialect dialect() {
        return dialect;
    }

    public DatabaseSettings settings() {
        return settings;
    }

    /** How many migrations this open applied (0 when the schema was already current). */
    public int migrationsApplied() {
        return migrationsApplied;
    }

    /** The pool, for tools that need a {@link DataSource}; prefer {@link #read} and {@link #write}. */
    public DataSource dataSource() {
        return pool;
    }

    /**
     * Runs read-only work in a transaction (one consistent snapshot for all its statements). Anything it writes is
     * rolled back. Inside a {@link #write} on the same thread it joins that transaction.
     */
    public <T> T read(SqlWork<T> work) {
        Transaction tx = current.get();
        if (tx != null) {
            return runJoined(tx, work);
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            current.set(new Transaction(c, false));
            try {
                return work.run(c);
            } finally {
                current.remove();
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException("database read failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs work in a write transaction: committed when it returns, rolled back when it throws. Inside another
     * {@code write} on the same thread it joins that transaction; inside a {@link #read} it is refused.
     */
    public <T> T write(SqlWork<T> work) {
        Transaction tx = current.get();
        if (tx != null) {
            if (!tx.writable()) {
                throw new IllegalStateException("a write cannot run inside a read transaction");
            }
            return runJoined(tx, work);
        }
        boolean locked = dialect.singleWriter();
        if (locked) {
            writeLock.lock();
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            current.set(new Transaction(c, true));
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                current.remove();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException("database write failed: " + e.getMessage(), e);
        } finally {
            if (locked) {
                writeLock.unlock();
            }
        }
    }

    /** A {@link #write} with no result. */
    public void writeVoid(SqlVoidWork work) {
        write(c -> {
            work.run(c);
            return null;
        });
    }

    /** Work with no result, for {@link #writeVoid}. */
    @FunctionalInterface
    public interface SqlVoidWork {
        void run(Connection connection) throws SQLException;
    }

    private static <T> T runJoined(Transaction tx, SqlWork<T> work) {
        try {
            return work.run(tx.connection());
        } catch (SQLException e) {
            throw new StorageException("database access failed: " + e.getMessage(), e);
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Closes the pool after any write in progress has finished. Idempotent. */
    @Override
    public void close() {
        boolean locked = dialect.singleWriter();
        if (locked) {
            writeLock.lock();
        }
        try {
            if (pool.isClosed()) {
                return;
            }
            if (dialect == Dialect.SQLITE) {
                checkpointWal();
            }
            pool.close();
        } finally {
            if (locked) {
                writeLock.unlock();
            }
        }
    }

    public boolean isClosed() {
        return pool.isClosed();
    }

    private int migrate() {
        Flyway flyway = Flyway.configure(Database.class.getClassLoader())
                .dataSource(pool)
                .locations(MIGRATIONS)
                .placeholders(Map.of("bytes", dialect.bytesType()))
                .cleanDisabled(true)
                .load();
        if (dialect.singleWriter()) {
            writeLock.lock();
        }
        try {
            MigrateResult result = flyway.migrate();
            return result.migrationsExecuted;
        } catch (RuntimeException e) {
            throw new StorageException("database migration failed: " + e.getMessage(), e);
        } finally {
            if (dialect.singleWriter()) {
                writeLock.unlock();
            }
        }
    }

    private static HikariConfig poolConfig(DatabaseSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("luthier-" + settings.dialect().name().toLowerCase());
        config.setJdbcUrl(settings.jdbcUrl());
        if (settings.username() != null) {
            config.setUsername(settings.username());
        }
        if (settings.password() != null) {
            config.setPassword(settings.password());
        }
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setAutoCommit(true);
        config.setMinimumIdle(Math.min(2, settings.maxPoolSize()));
        if (settings.dialect() == Dialect.SQLITE) {
            sqlitePragmas(settings).forEach((k, v) -> config.addDataSourceProperty((String) k, v));
        }
        return config;
    }

    /** Per-connection SQLite settings, read by the driver from the connection properties. */
    private static Properties sqlitePragmas(DatabaseSettings settings) {
        Properties p = new Properties();
        p.setProperty("busy_timeout", Long.toString(settings.busyTimeout().toMillis()));
        p.setProperty("foreign_keys", "true");
        // With WAL, NORMAL loses no committed transaction when the process dies; only an OS crash or power loss
        // may roll back the last few.
        p.setProperty("synchronous", "NORMAL");
        return p;
    }

    /** Switches the file to WAL once, before the pool opens (the mode is stored in the file). */
    private static void enableWal(DatabaseSettings settings) {
        Properties p = sqlitePragmas(settings);
        try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), p);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA journal_mode=WAL")) {
            String mode = rs.next() ? rs.getString(1) : null;
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new StorageException("SQLite refused WAL journal mode (got " + mode + ") for " + settings.jdbcUrl()
                        + "; an in-memory database cannot be shared by a pool, use a file");
            }
        } catch (SQLException e) {
            throw new StorageException("cannot open SQLite database " + settings.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    private void checkpointWal() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            // The WAL is replayed on the next open; nothing is lost.
        }
    }
}
