package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.DatabaseSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * The storage contracts on PostgreSQL at {@code 127.0.0.1:5432} as user {@code postgres} (trust authentication;
 * override with {@code -Dluthier.test.postgres.url=jdbc:postgresql://host:port/}, {@code .user}, {@code .password}).
 * A run creates a database {@code luthier_test_<random>} and drops it at the end; each test gets its own schema in
 * it. Skipped, with a message, when no server answers.
 */
class PostgresStorageTest extends StorageTestBase implements DatabaseContract, SessionRepositoryContract,
        ApiKeyRepositoryContract, TrainingRunRepositoryContract, SamplingSessionRepositoryContract,
        SeqDedupeRepositoryContract, CheckpointRepositoryContract, FutureResultRepositoryContract,
        ConcurrencyContract, RestartContract, TenantRepositoryContract, UsageRepositoryContract,
        AuditRepositoryContract {
    private static final String SERVER = System.getProperty("luthier.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String USER = System.getProperty("luthier.test.postgres.user", "postgres");
    private static final String PASSWORD = System.getProperty("luthier.test.postgres.password", "");
    private static String database;
    private static String unreachable;

    private String schema;

    @BeforeAll
    static void createDatabase() {
        String name = "luthier_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
            database = name;
        } catch (SQLException e) {
            unreachable = "PostgreSQL does not answer at " + SERVER + " as " + USER + " (" + e.getMessage()
                    + "): skipping the PostgreSQL storage tests";
            System.err.println(unreachable);
        }
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        if (database != null) {
            try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database);
            }
            database = null;
        }
    }

    @Override
    protected Database open() {
        Assumptions.assumeTrue(database != null, () -> unreachable);
        if (schema == null) {
            schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            execute("CREATE SCHEMA " + schema);
        }
        return Database.open(DatabaseSettings.postgresql(SERVER + database + "?currentSchema=" + schema
                        + "&options=-c%20synchronous_commit%3Doff", USER,
                PASSWORD.isEmpty() ? null : PASSWORD).withMaxPoolSize(10));
    }

    @Override
    protected void dispose() {
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
            schema = null;
        }
    }

    private static void execute(String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        if (!PASSWORD.isEmpty()) {
            p.setProperty("password", PASSWORD);
        }
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(SERVER + db, p);
    }
}
