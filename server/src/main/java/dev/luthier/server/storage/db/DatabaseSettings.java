package dev.luthier.server.storage.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the database.
 *
 * @param jdbcUrl     {@code jdbc:sqlite:/path/luthier.db} or {@code jdbc:postgresql://host:port/db}
 * @param username    null for SQLite
 * @param password    null for SQLite or trust authentication
 * @param maxPoolSize connections in the pool; with SQLite they serve readers, writes take one at a time
 * @param busyTimeout SQLite only: how long a connection waits for another process's lock before failing
 */
public record DatabaseSettings(String jdbcUrl, String username, String password, int maxPoolSize, Duration busyTimeout) {
    /** The name of the SQLite file inside the data directory. */
    public static final String SQLITE_FILE = "luthier.db";

    public DatabaseSettings {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Dialect.ofUrl(jdbcUrl);
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1, got " + maxPoolSize);
        }
        Objects.requireNonNull(busyTimeout, "busyTimeout");
    }

    /** The embedded default: {@code <dataDir>/luthier.db}. */
    public static DatabaseSettings sqlite(Path dataDir) {
        return sqliteUrl("jdbc:sqlite:" + dataDir.toAbsolutePath().resolve(SQLITE_FILE));
    }

    /**
     * The settings for a JDBC URL given by the user ({@code jdbc:sqlite:...}, or {@code jdbc:postgresql://...} with
     * {@code user} and {@code password} in its query), or the SQLite file in {@code dataDir} when it is null.
     */
    public static DatabaseSettings of(String jdbcUrl, Path dataDir) {
        if (jdbcUrl == null) {
            return sqlite(dataDir);
        }
        return switch (Dialect.ofUrl(jdbcUrl)) {
            case SQLITE -> sqliteUrl(jdbcUrl);
            case POSTGRESQL -> postgresql(jdbcUrl, null, null);
        };
    }

    public static DatabaseSettings sqliteUrl(String jdbcUrl) {
        return new DatabaseSettings(jdbcUrl, null, null, 8, Duration.ofSeconds(30));
    }

    public static DatabaseSettings postgresql(String jdbcUrl, String username, String password) {
        return new DatabaseSettings(jdbcUrl, username, password, 16, Duration.ofSeconds(30));
    }

    public Dialect dialect() {
        return Dialect.ofUrl(jdbcUrl);
    }

    public DatabaseSettings withMaxPoolSize(int size) {
        return new DatabaseSettings(jdbcUrl, username, password, size, busyTimeout);
    }
}
