package dev.luthier.server.storage.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Reading the column kinds the schema uses, the same way on SQLite and PostgreSQL: times are BIGINT
 * epoch milliseconds, flags are BOOLEAN (stored 0/1 by SQLite), and any column may be null.
 */
public final class Columns {
    private Columns() {
    }

    public static long millis(Instant t) {
        return t.toEpochMilli();
    }

    public static Instant getInstant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    public static Long getLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    public static Integer getInteger(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    public static Double getDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

}
