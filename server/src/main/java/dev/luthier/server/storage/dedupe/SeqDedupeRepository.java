package dev.luthier.server.storage.dedupe;

import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Sql;
import dev.luthier.server.storage.db.StorageException;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Dedupe of {@code (session_id, model_seq_id)} and {@code (session_id, sampling_session_seq_id)}: a resent
 * create_model or create_sampling_session gets the original's ids back, also after a restart.
 */
public final class SeqDedupeRepository {
    private static final String COLUMNS = "session_id, kind, seq_id, target_id, request_id, created_at";

    private final Database db;

    public SeqDedupeRepository(Database db) {
        this.db = db;
    }

    /**
     * Claims a seq id for a request. Atomic: of two requests with the same seq id racing, exactly one is fresh.
     * {@code INSERT ... ON CONFLICT DO NOTHING} is the same statement on SQLite (3.24+) and PostgreSQL (9.5+).
     */
    public ClaimResult claim(SeqClaim proposed) {
        return db.write(c -> {
            int inserted = Sql.update(c, "INSERT INTO model_seq_dedupe (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?) "
                            + "ON CONFLICT (session_id, kind, seq_id) DO NOTHING",
                    proposed.sessionId(), proposed.counter().dbName(), proposed.seqId(), proposed.targetId(),
                    proposed.requestId(), proposed.createdAt());
            if (inserted == 1) {
                return new ClaimResult(proposed, true);
            }
            SeqClaim original = find(proposed.sessionId(), proposed.counter(), proposed.seqId())
                    .orElseThrow(() -> new StorageException("seq claim vanished: " + proposed));
            return new ClaimResult(original, false);
        });
    }

    public Optional<SeqClaim> find(String sessionId, SeqCounter counter, long seqId) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM model_seq_dedupe "
                + "WHERE session_id = ? AND kind = ? AND seq_id = ?", SeqDedupeRepository::row,
                sessionId, counter.dbName(), seqId));
    }

    private static SeqClaim row(ResultSet rs) throws SQLException {
        return new SeqClaim(rs.getString("session_id"), SeqCounter.ofDbName(rs.getString("kind")), rs.getLong("seq_id"),
                rs.getString("target_id"), rs.getString("request_id"), Columns.getInstant(rs, "created_at"));
    }
}
