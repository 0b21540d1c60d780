package dev.luthier.server.storage.sessions;

import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Condition;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.JsonText;
import dev.luthier.server.storage.db.Owner;
import dev.luthier.server.storage.db.Page;
import dev.luthier.server.storage.db.PageRequest;
import dev.luthier.server.storage.db.Sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Client sessions. Listings are newest first. */
public final class SessionRepository {
    private static final String COLUMNS =
            "id, api_key_id, tags, user_metadata, sdk_version, project_id, created_at, last_heartbeat_at";

    private final Database db;

    public SessionRepository(Database db) {
        this.db = db;
    }

    public void create(Session s) {
        db.write(c -> Sql.update(c, "INSERT INTO sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                s.id(), s.apiKeyId(), JsonText.write(s.tags()), JsonText.write(s.userMetadata()), s.sdkVersion(),
                s.projectId(), s.createdAt(), s.lastHeartbeatAt()));
    }

    public Optional<Session> get(String id) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM sessions WHERE id = ?", SessionRepository::row, id));
    }

    /**
     * Records a heartbeat. A heartbeat older than the one recorded (they may arrive out of order) leaves it as it is.
     *
     * @return false when no such session exists
     */
    public boolean heartbeat(String id, Instant at) {
        return db.write(c -> Sql.update(c, "UPDATE sessions SET last_heartbeat_at = "
                + "CASE WHEN last_heartbeat_at < ? THEN ? ELSE last_heartbeat_at END WHERE id = ?", at, at, id)) == 1;
    }

    /** {@code PUT /sessions/{id}/project}. @return false when no such session exists */
    public boolean setProject(String id, String projectId) {
        return db.write(c -> Sql.update(c, "UPDATE sessions SET project_id = ? WHERE id = ?", projectId, id)) == 1;
    }

    /** The owner's sessions, newest first. */
    public Page<Session> list(Owner owner, PageRequest page) {
        Condition owned = Condition.owner(owner, "api_key_id");
        return db.read(c -> {
            long total = Sql.count(c, "SELECT COUNT(*) FROM sessions WHERE " + owned.sql(), owned.params());
            List<Session> items = Sql.list(c, "SELECT " + COLUMNS + " FROM sessions WHERE " + owned.sql()
                    + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", SessionRepository::row,
                    Sql.withPage(page, owned.params()));
            return Page.of(items, page, total);
        });
    }

    /** Sessions whose last heartbeat is older than {@code before} (candidates for expiry), oldest first. */
    public List<Session> listSilentSince(Instant before, int limit) {
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM sessions WHERE last_heartbeat_at < ?"
                + " ORDER BY last_heartbeat_at, id LIMIT ?", SessionRepository::row, before, limit));
    }

    private static Session row(ResultSet rs) throws SQLException {
        return new Session(rs.getString("id"), rs.getString("api_key_id"), JsonText.readStrings(rs.getString("tags")),
                JsonText.readMap(rs.getString("user_metadata")), rs.getString("sdk_version"), rs.getString("project_id"),
                Columns.getInstant(rs, "created_at"), Columns.getInstant(rs, "last_heartbeat_at"));
    }
}
