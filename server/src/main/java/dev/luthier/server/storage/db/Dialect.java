package dev.luthier.server.storage.db;

/**
 * The database products Luthier runs on. The SQL in migrations and repositories is written once for both; the few
 * differences (the type of a byte column, how concurrent writers behave) are decided here.
 */
public enum Dialect {
    /** The embedded default: one file, one writer at a time. */
    SQLITE("BLOB", true),
    /** The production choice: many writers, shared by several API nodes. */
    POSTGRESQL("BYTEA", false);

    private final String bytesType;
    private final boolean singleWriter;

    Dialect(String bytesType, boolean singleWriter) {
        this.bytesType = bytesType;
        this.singleWriter = singleWriter;
    }

    /** The column type for raw bytes, given to migrations as the placeholder {@code ${bytes}}. */
    public String bytesType() {
        return bytesType;
    }

    /** Whether writers must be serialised inside this process (SQLite locks the whole file for a write). */
    public boolean singleWriter() {
        return singleWriter;
    }

    /** The dialect of a JDBC URL ({@code jdbc:sqlite:...} or {@code jdbc:postgresql:...}). */
    public static Dialect ofUrl(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL (expected jdbc:sqlite: or jdbc:postgresql:): " + jdbcUrl);
    }
}
