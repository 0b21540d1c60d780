package dev.luthier.server.storage.samplers;

import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Sampling sessions ({@code POST /create_sampling_session}, {@code GET /samplers/{id}}). */
public final class SamplingSessionRepository {
    private static final String COLUMNS = "id, session_id, sampling_seq_id, base_model, model_path, created_at";

    private final Database db;

    public SamplingSessionRepository(Database db) {
        this.db = db;
    }

    public void create(SamplingSession s) {
        db.write(c -> Sql.update(c, "INSERT INTO sampling_sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)",
                s.id(), s.sessionId(), s.samplingSeqId(), s.baseModel(), s.modelPath(), s.createdAt()));
    }

    public Optional<SamplingSession> get(String id) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM sampling_sessions WHERE id = ?",
                SamplingSessionRepository::row, id));
    }

    /** The ids of a session's samplers in creation order ({@code GET /sessions/{id}}). */
    public List<String> listIdsBySession(String sessionId) {
        return db.read(c -> Sql.list(c, "SELECT id FROM sampling_sessions WHERE session_id = ? ORDER BY sampling_seq_id",
                rs -> rs.getString(1), sessionId));
    }

    private static SamplingSession row(ResultSet rs) throws SQLException {
        return new SamplingSession(rs.getString("id"), rs.getString("session_id"), rs.getLong("sampling_seq_id"),
                rs.getString("base_model"), rs.getString("model_path"), Columns.getInstant(rs, "created_at"));
    }
}
