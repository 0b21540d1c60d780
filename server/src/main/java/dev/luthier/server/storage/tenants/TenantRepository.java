package dev.luthier.server.storage.tenants;

import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Tenants, by id or by their unique name. */
public final class TenantRepository {
    private static final String COLUMNS = "id, name, created_at, max_training_runs, max_sampling_requests";

    private final Database db;

    public TenantRepository(Database db) {
        this.db = db;
    }

    /** @return false when the id or the name is taken (nothing is written) */
    public boolean insert(Tenant t) {
        return db.write(c -> {
            if (Sql.count(c, "SELECT COUNT(*) FROM tenants WHERE id = ? OR name = ?", t.id(), t.name()) > 0) {
                return false;
            }
            return Sql.update(c, "INSERT INTO tenants (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    t.id(), t.name(), t.createdAt(), t.maxTrainingRuns(), t.maxSamplingRequests()) == 1;
        });
    }

    public Optional<Tenant> get(String id) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM tenants WHERE id = ?", TenantRepository::row, id));
    }

    public Optional<Tenant> findByName(String name) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM tenants WHERE name = ?", TenantRepository::row, name));
    }

    /** All tenants, by name. */
    public List<Tenant> list() {
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM tenants ORDER BY name", TenantRepository::row));
    }

    /** Sets both quotas (null: no limit). @return false when no such tenant exists */
    public boolean setQuotas(String id, Integer maxTrainingRuns, Integer maxSamplingRequests) {
        Tenant.checkQuotas(maxTrainingRuns, maxSamplingRequests);
        return db.write(c -> Sql.update(c, "UPDATE tenants SET max_training_runs = ?, max_sampling_requests = ? WHERE id = ?",
                maxTrainingRuns, maxSamplingRequests, id)) == 1;
    }

    private static Tenant row(ResultSet rs) throws SQLException {
        return new Tenant(rs.getString("id"), rs.getString("name"), Columns.getInstant(rs, "created_at"),
                Columns.getInteger(rs, "max_training_runs"), Columns.getInteger(rs, "max_sampling_requests"));
    }
}
