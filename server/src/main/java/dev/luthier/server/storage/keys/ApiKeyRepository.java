package dev.luthier.server.storage.keys;

import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** API keys, looked up by hash when a request arrives. */
public final class ApiKeyRepository {
    private static final String COLUMNS = "id, key_hash, name, created_at, last_used_at, revoked_at, tenant_id, is_admin";

    private final Database db;

    public ApiKeyRepository(Database db) {
        this.db = db;
    }

    public void insert(ApiKey key) {
        db.write(c -> Sql.update(c, "INSERT INTO api_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                key.id(), key.keyHash(), key.name(), key.createdAt(), key.lastUsedAt(), key.revokedAt(), key.tenantId(),
                key.admin()));
    }

    public Optional<ApiKey> get(String id) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM api_keys WHERE id = ?", ApiKeyRepository::row, id));
    }

    /** The key with this hash, revoked or not: the caller refuses a revoked one. */
    public Optional<ApiKey> findByHash(String keyHash) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = ?",
                ApiKeyRepository::row, keyHash));
    }

    /** All keys, oldest first. */
    public List<ApiKey> list() {
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id",
                ApiKeyRepository::row));
    }

    /** A tenant's keys, oldest first. */
    public List<ApiKey> listByTenant(String tenantId) {
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id",
                ApiKeyRepository::row, tenantId));
    }

    /** Whether any key exists (a server without keys accepts any {@code tml-} key). */
    public boolean any() {
        return db.read(c -> Sql.count(c, "SELECT COUNT(*) FROM api_keys")) > 0;
    }

    /** Moves a key to a tenant and sets its admin flag (bootstrap keys). @return false when no such key exists */
    public boolean assign(String id, String tenantId, boolean admin) {
        return db.write(c -> Sql.update(c, "UPDATE api_keys SET tenant_id = ?, is_admin = ? WHERE id = ?",
                tenantId, admin, id)) == 1;
    }

    /** Records a use; an older time than the one recorded is ignored. @return false when no such key exists */
    public boolean touch(String id, Instant at) {
        return db.write(c -> Sql.update(c, "UPDATE api_keys SET last_used_at = CASE WHEN last_used_at IS NULL "
                + "OR last_used_at < ? THEN ? ELSE last_used_at END WHERE id = ?", at, at, id)) == 1;
    }

    /** Revokes a key. @return false when no such key exists or it was already revoked (the first time is kept) */
    public boolean revoke(String id, Instant at) {
        return db.write(c -> Sql.update(c, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                at, id)) == 1;
    }

    private static ApiKey row(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getString("id"), rs.getString("key_hash"), rs.getString("name"),
                Columns.getInstant(rs, "created_at"), Columns.getInstant(rs, "last_used_at"),
                Columns.getInstant(rs, "revoked_at"), rs.getString("tenant_id"), rs.getBoolean("is_admin"));
    }
}
