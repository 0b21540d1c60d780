package dev.luthier.server.storage.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prepared statements in one line. Parameters are bound by type: {@link Instant} as epoch milliseconds, Boolean as
 * a flag, byte[] as bytes, null as SQL NULL; anything else must be a String or a boxed number.
 */
public final class Sql {
    private Sql() {
    }

    /** Reads one row into a value. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    public static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    public static <T> Optional<T> one(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        List<T> rows = list(c, sql, mapper, params);
        if (rows.size() > 1) {
            throw new StorageException("expected at most one row, got " + rows.size() + " for: " + sql);
        }
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }

    /** The single number a {@code SELECT COUNT(*) ...} returns. */
    public static long count(Connection c, String sql, Object... params) throws SQLException {
        return one(c, sql, rs -> rs.getLong(1), params).orElse(0L);
    }

    /** Appends the page's {@code LIMIT ? OFFSET ?} (the same on SQLite and PostgreSQL) to the parameters. */
    public static Object[] withPage(PageRequest page, Object... params) {
        Object[] out = java.util.Arrays.copyOf(params, params.length + 2);
        out[params.length] = page.limit();
        out[params.length + 1] = page.offset();
        return out;
    }

    public static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            int index = i + 1;
            switch (params[i]) {
                case null -> ps.setNull(index, Types.NULL);
                case Instant t -> ps.setLong(index, t.toEpochMilli());
                case Boolean b -> ps.setBoolean(index, b);
                case Long l -> ps.setLong(index, l);
                case Integer n -> ps.setInt(index, n);
                case Double d -> ps.setDouble(index, d);
                case String s -> ps.setString(index, s);
                case byte[] bytes -> ps.setBytes(index, bytes);
                default -> throw new IllegalArgumentException(
                        "cannot bind a " + params[i].getClass().getName() + " (parameter " + index + ")");
            }
        }
    }
}
