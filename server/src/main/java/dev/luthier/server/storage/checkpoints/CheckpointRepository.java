package dev.luthier.server.storage.checkpoints;

import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Condition;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Owner;
import dev.luthier.server.storage.db.Page;
import dev.luthier.server.storage.db.PageRequest;
import dev.luthier.server.storage.db.Sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoint metadata; the files themselves live at {@code storage_path}. Listings are newest first, ties broken by
 * tinker path, so pages are stable.
 */
public final class CheckpointRepository {
    private static final String COLUMNS = "id, training_run_id, kind, name, tinker_path, storage_path, size_bytes, "
            + "is_public, created_at, expires_at";
    private static final String C_COLUMNS = "c.id, c.training_run_id, c.kind, c.name, c.tinker_path, c.storage_path, "
            + "c.size_bytes, c.is_public, c.created_at, c.expires_at";
    private static final String NEWEST_FIRST = " ORDER BY created_at DESC, tinker_path DESC";

    private final Database db;

    public CheckpointRepository(Database db) {
        this.db = db;
    }

    /** Records a checkpoint. @return false when its tinker path is taken (nothing is written) */
    public boolean insert(Checkpoint cp) {
        return db.write(c -> insert(c, cp)) == 1;
    }

    /**
     * Records a checkpoint in place of any with the same tinker path ({@code save_weights} with overwrite).
     *
     * @return the one replaced, whose files the caller should remove
     */
    public Optional<Checkpoint> replace(Checkpoint cp) {
        return db.write(c -> {
            Optional<Checkpoint> old = find(c, cp.tinkerPath());
            // The same upsert syntax on SQLite (3.24+) and PostgreSQL (9.5+); concurrent replaces: the last wins.
            Sql.update(c, "INSERT INTO checkpoints (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                            + "ON CONFLICT (tinker_path) DO UPDATE SET id = excluded.id, "
                            + "storage_path = excluded.storage_path, size_bytes = excluded.size_bytes, "
                            + "is_public = excluded.is_public, created_at = excluded.created_at, "
                            + "expires_at = excluded.expires_at",
                    cp.id(), cp.trainingRunId(), cp.kind().checkpointType(), cp.name(), cp.tinkerPath(), cp.storagePath(),
                    cp.sizeBytes(), cp.isPublic(), cp.createdAt(), cp.expiresAt());
            return old;
        });
    }

    public Optional<Checkpoint> findByTinkerPath(String tinkerPath) {
        return db.read(c -> find(c, tinkerPath));
    }

    /** {@code GET /training_runs/{run}/checkpoints}. */
    public Page<Checkpoint> listByRun(String runId, PageRequest page) {
        return db.read(c -> {
            long total = Sql.count(c, "SELECT COUNT(*) FROM checkpoints WHERE training_run_id = ?", runId);
            List<Checkpoint> items = Sql.list(c, "SELECT " + COLUMNS + " FROM checkpoints WHERE training_run_id = ?"
                    + NEWEST_FIRST + " LIMIT ? OFFSET ?", CheckpointRepository::row, Sql.withPage(page, runId));
            return Page.of(items, page, total);
        });
    }

    /** The newest checkpoint of a kind ({@code last_checkpoint} / {@code last_sampler_checkpoint} of a run). */
    public Optional<Checkpoint> latest(String runId, CheckpointKind kind) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM checkpoints WHERE training_run_id = ? AND kind = ?"
                + NEWEST_FIRST + " LIMIT 1", CheckpointRepository::row, runId, kind.checkpointType()));
    }

    /**
     * {@code GET /checkpoints}: the checkpoints of every run the owner has, and with {@code includePublic} also
     * those others published.
     */
    public Page<Checkpoint> listForOwner(Owner owner, boolean includePublic, PageRequest page) {
        Condition owned = Condition.owner(owner, "r.api_key_id");
        String where = includePublic ? "(" + owned.sql() + " OR c.is_public = ?)" : owned.sql();
        Object[] params = includePublic ? append(owned.params(), true) : owned.params();
        String from = " FROM checkpoints c JOIN training_runs r ON r.model_id = c.training_run_id WHERE " + where;
        return db.read(c -> {
            long total = Sql.count(c, "SELECT COUNT(*)" + from, params);
            List<Checkpoint> items = Sql.list(c, "SELECT " + C_COLUMNS + from
                            + " ORDER BY c.created_at DESC, c.tinker_path DESC LIMIT ? OFFSET ?",
                    CheckpointRepository::row, Sql.withPage(page, params));
            return Page.of(items, page, total);
        });
    }

    /**
     * Publishes or unpublishes.
     *
     * @return true when the flag changed; false when it already had that value or the checkpoint does not exist
     * (tell them apart with {@link #findByTinkerPath}: publishing a public one is a 409)
     */
    public boolean setPublic(String tinkerPath, boolean isPublic) {
        return db.write(c -> Sql.update(c, "UPDATE checkpoints SET is_public = ? WHERE tinker_path = ? AND is_public <> ?",
                isPublic, tinkerPath, isPublic)) == 1;
    }

    /** Sets or (with null) removes the expiry. @return false when no such checkpoint exists */
    public boolean setExpiresAt(String tinkerPath, Instant expiresAt) {
        return db.write(c -> Sql.update(c, "UPDATE checkpoints SET expires_at = ? WHERE tinker_path = ?",
                expiresAt, tinkerPath)) == 1;
    }

    /** Deletes the record. @return what was deleted, whose files the caller should remove */
    public Optional<Checkpoint> delete(String tinkerPath) {
        return db.write(c -> {
            Optional<Checkpoint> old = find(c, tinkerPath);
            Sql.update(c, "DELETE FROM checkpoints WHERE tinker_path = ?", tinkerPath);
            return old;
        });
    }

    /** Checkpoints whose expiry is at or before {@code now}, soonest expired first. */
    public List<Checkpoint> listExpired(Instant now, int limit) {
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM checkpoints WHERE expires_at IS NOT NULL "
                + "AND expires_at <= ? ORDER BY expires_at, tinker_path LIMIT ?", CheckpointRepository::row, now, limit));
    }

    private static int insert(Connection c, Checkpoint cp) throws SQLException {
        return Sql.update(c, "INSERT INTO checkpoints (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (tinker_path) DO NOTHING",
                cp.id(), cp.trainingRunId(), cp.kind().checkpointType(), cp.name(), cp.tinkerPath(), cp.storagePath(),
                cp.sizeBytes(), cp.isPublic(), cp.createdAt(), cp.expiresAt());
    }

    private static Optional<Checkpoint> find(Connection c, String tinkerPath) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM checkpoints WHERE tinker_path = ?", CheckpointRepository::row,
                tinkerPath);
    }

    private static Object[] append(Object[] params, Object last) {
        Object[] out = java.util.Arrays.copyOf(params, params.length + 1);
        out[params.length] = last;
        return out;
    }

    private static Checkpoint row(ResultSet rs) throws SQLException {
        return new Checkpoint(rs.getString("id"), rs.getString("training_run_id"),
                CheckpointKind.ofCheckpointType(rs.getString("kind")), rs.getString("name"), rs.getString("tinker_path"),
                rs.getString("storage_path"), Columns.getLong(rs, "size_bytes"), rs.getBoolean("is_public"),
                Columns.getInstant(rs, "created_at"), Columns.getInstant(rs, "expires_at"));
    }
}
