package dev.luthier.server.storage.usage;

import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Sql;
import dev.luthier.server.storage.tenants.Tenant;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Usage in hourly buckets. Additions are upserts that add to the bucket, atomic on both databases, so concurrent
 * writers never lose an update.
 */
public final class UsageRepository {
    private static final String COLUMNS = "bucket_start, tenant_id, session_id, subject_id, base_model, kind, quantity, "
            + "gigabyte_hours";
    /** Bytes in a gigabyte, as storage is billed: 10^9. */
    public static final double BYTES_PER_GIGABYTE = 1e9;
    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    private final Database db;

    public UsageRepository(Database db) {
        this.db = db;
    }

    /** Adds to a bucket (creating it when new). */
    public void add(UsageBucket u) {
        db.writeVoid(c -> add(c, u));
    }

    private static void add(Connection c, UsageBucket u) throws SQLException {
        Sql.update(c, "INSERT INTO usage_buckets (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (bucket_start, tenant_id, session_id, subject_id, base_model, kind) DO UPDATE SET "
                        + "quantity = usage_buckets.quantity + excluded.quantity, "
                        + "gigabyte_hours = usage_buckets.gigabyte_hours + excluded.gigabyte_hours",
                u.bucketStart(), u.tenantId(), u.sessionId(), u.subjectId(), u.baseModel(), u.kind().dbName(), u.quantity(),
                u.gigabyteHours());
    }

    /**
     * The buckets starting in {@code [from, to)}, oldest first.
     *
     * @param tenantId one tenant, or null for all
     * @param from     null for no lower bound
     * @param to       null for no upper bound
     */
    public List<UsageBucket> list(String tenantId, Instant from, Instant to) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (tenantId != null) {
            where.append(" AND tenant_id = ?");
            params.add(tenantId);
        }
        if (from != null) {
            where.append(" AND bucket_start >= ?");
            params.add(from);
        }
        if (to != null) {
            where.append(" AND bucket_start < ?");
            params.add(to);
        }
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM usage_buckets" + where
                        + " ORDER BY bucket_start, tenant_id, session_id, subject_id, base_model, kind",
                UsageRepository::row, params.toArray()));
    }

    /** The buckets of one training run or sampling session, oldest first. */
    public List<UsageBucket> listBySubject(String subjectId) {
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM usage_buckets WHERE subject_id = ?"
                + " ORDER BY bucket_start, tenant_id, session_id, subject_id, base_model, kind", UsageRepository::row, subjectId));
    }

    /**
     * Meters checkpoint storage up to {@code now}: each checkpoint's size for the time since it was last metered (or
     * created), split over the hours it spans, into buckets of its training run. Concurrent calls meter each interval
     * once.
     *
     * @param tinkerPath one checkpoint (before it is deleted), or null for all
     * @return how many checkpoints were metered
     */
    public int meterStorage(Instant now, String tinkerPath) {
        return db.write(c -> {
            String sql = "SELECT c.tinker_path, c.training_run_id, c.size_bytes, c.created_at, c.storage_metered_until, "
                    + "r.session_id, r.base_model, k.tenant_id FROM checkpoints c "
                    + "JOIN training_runs r ON r.model_id = c.training_run_id LEFT JOIN api_keys k ON k.id = r.api_key_id"
                    + (tinkerPath == null ? "" : " WHERE c.tinker_path = ?");
            List<StoredCheckpoint> stored = Sql.list(c, sql, rs -> new StoredCheckpoint(rs.getString("tinker_path"),
                    rs.getString("training_run_id"), Columns.getLong(rs, "size_bytes"), Columns.getInstant(rs, "created_at"),
                    Columns.getInstant(rs, "storage_metered_until"), rs.getString("session_id"), rs.getString("base_model"),
                    rs.getString("tenant_id")), tinkerPath == null ? new Object[0] : new Object[]{tinkerPath});
            int metered = 0;
            for (StoredCheckpoint cp : stored) {
                Instant since = cp.meteredUntil() != null ? cp.meteredUntil() : cp.createdAt();
                if (!now.isAfter(since)) {
                    continue;
                }
                int claimed = Sql.update(c, "UPDATE checkpoints SET storage_metered_until = ? WHERE tinker_path = ? "
                        + "AND COALESCE(storage_metered_until, created_at) = ?", now, cp.tinkerPath(), since);
                if (claimed != 1 || cp.sizeBytes() == null || cp.sizeBytes() == 0) {
                    continue;
                }
                String tenant = cp.tenantId() != null ? cp.tenantId() : Tenant.LOCAL;
                for (Instant start = since; start.isBefore(now); ) {
                    Instant hour = UsageBucket.hourOf(start);
                    Instant end = hour.plus(UsageBucket.LENGTH).isBefore(now) ? hour.plus(UsageBucket.LENGTH) : now;
                    double gbh = cp.sizeBytes() / BYTES_PER_GIGABYTE * (end.toEpochMilli() - start.toEpochMilli()) / MILLIS_PER_HOUR;
                    add(c, new UsageBucket(hour, tenant, cp.sessionId(), cp.runId(), cp.baseModel(), UsageKind.STORAGE, 0, gbh));
                    start = end;
                }
                metered++;
            }
            return metered;
        });
    }

    private record StoredCheckpoint(String tinkerPath, String runId, Long sizeBytes, Instant createdAt,
                                    Instant meteredUntil, String sessionId, String baseModel, String tenantId) {
    }

    private static UsageBucket row(ResultSet rs) throws SQLException {
        return new UsageBucket(Columns.getInstant(rs, "bucket_start"), rs.getString("tenant_id"), rs.getString("session_id"),
                rs.getString("subject_id"), rs.getString("base_model"), UsageKind.ofDbName(rs.getString("kind")),
                rs.getLong("quantity"), rs.getDouble("gigabyte_hours"));
    }
}
