package dev.luthier.server.storage.audit;

import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The audit log: appended to, never changed. */
public final class AuditRepository {
    private static final String COLUMNS = "id, tenant_id, api_key_id, at, event, model_id, tinker_path, purpose";

    private final Database db;

    public AuditRepository(Database db) {
        this.db = db;
    }

    public void append(AuditEvent e) {
        db.write(c -> Sql.update(c, "INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                e.id(), e.tenantId(), e.apiKeyId(), e.at(), e.event(), e.modelId(), e.tinkerPath(), e.purpose()));
    }

    /** A tenant's entries in {@code [from, to)}, oldest first; {@code checkpointsOnly} keeps checkpoint events. */
    public List<AuditEvent> list(String tenantId, Instant from, Instant to, boolean checkpointsOnly) {
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM audit_log WHERE tenant_id = ? AND at >= ? AND at < ?"
                        + (checkpointsOnly ? " AND event LIKE 'checkpoint!_%' ESCAPE '!'" : "") + " ORDER BY at, id",
                AuditRepository::row, tenantId, from, to));
    }

    private static AuditEvent row(ResultSet rs) throws SQLException {
        return new AuditEvent(rs.getString("id"), rs.getString("tenant_id"), rs.getString("api_key_id"),
                Columns.getInstant(rs, "at"), rs.getString("event"), rs.getString("model_id"), rs.getString("tinker_path"),
                rs.getString("purpose"));
    }
}
