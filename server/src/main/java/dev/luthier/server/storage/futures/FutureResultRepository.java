package dev.luthier.server.storage.futures;

import dev.luthier.server.futures.FutureOutcome;
import dev.luthier.server.storage.db.Columns;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Futures' outcomes, persisted so that a restart loses no finished result. A future is written once when
 * submitted and once when it finishes; a second completion is ignored, so the first outcome stands.
 */
public final class FutureResultRepository {
    /** The message {@link #failAllPending} gives when the server restarts. */
    public static final String LOST_AT_RESTART =
            "the server restarted while this request was in flight; its work was lost, submit it again";

    private static final String COLUMNS = "request_id, operation, model_id, state, result_content_type, result, "
            + "error_message, error_category, created_at, completed_at";

    private final Database db;

    public FutureResultRepository(Database db) {
        this.db = db;
    }

    /** Records a submitted request. @return false when the request id exists already (nothing is written) */
    public boolean insertPending(String requestId, String operation, String modelId, Instant at) {
        return db.write(c -> Sql.update(c, "INSERT INTO futures (request_id, operation, model_id, state, created_at) "
                        + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING",
                requestId, operation, modelId, FutureState.PENDING.dbName(), at)) == 1;
    }

    /** Forgets a pending request that turned out to be a duplicate. @return false when it is not pending */
    public boolean deletePending(String requestId) {
        return db.write(c -> Sql.update(c, "DELETE FROM futures WHERE request_id = ? AND state = ?", requestId,
                FutureState.PENDING.dbName())) == 1;
    }

    /** Stores the encoded result. @return false when the future is unknown or already finished */
    public boolean complete(String requestId, String contentType, byte[] result, Instant at) {
        return db.write(c -> Sql.update(c, "UPDATE futures SET state = ?, result_content_type = ?, result = ?, "
                        + "completed_at = ? WHERE request_id = ? AND state = ?",
                FutureState.DONE.dbName(), contentType, result, at, requestId, FutureState.PENDING.dbName())) == 1;
    }

    /** Stores a failure. @return false when the future is unknown or already finished */
    public boolean fail(String requestId, String message, FutureOutcome.Category category, Instant at) {
        return db.write(c -> Sql.update(c, "UPDATE futures SET state = ?, error_message = ?, error_category = ?, "
                        + "completed_at = ? WHERE request_id = ? AND state = ?",
                FutureState.FAILED.dbName(), message, category.wireName(), at, requestId,
                FutureState.PENDING.dbName())) == 1;
    }

    public Optional<StoredFuture> get(String requestId) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM futures WHERE request_id = ?",
                FutureResultRepository::row, requestId));
    }

    /**
     * Fails every pending future as a server error (at startup: their work died with the previous process, and a
     * client polling them must get an answer instead of waiting for ever).
     *
     * @return how many were failed
     */
    public int failAllPending(String message, Instant at) {
        return db.write(c -> Sql.update(c, "UPDATE futures SET state = ?, error_message = ?, error_category = ?, "
                        + "completed_at = ? WHERE state = ?", FutureState.FAILED.dbName(), message,
                FutureOutcome.Category.SERVER.wireName(), at, FutureState.PENDING.dbName()));
    }

    /**
     * Drops the payload of futures finished before {@code cutoff}, keeping a tombstone so that a late poll is told
     * the result is gone (410) rather than that it never existed (404).
     *
     * @return how many were expired
     */
    public int expireCompletedBefore(Instant cutoff) {
        return db.write(c -> Sql.update(c, "UPDATE futures SET state = ?, result = NULL, result_content_type = NULL, "
                        + "error_message = NULL, error_category = NULL WHERE state IN (?, ?) AND completed_at < ?",
                FutureState.EXPIRED.dbName(), FutureState.DONE.dbName(), FutureState.FAILED.dbName(), cutoff));
    }

    /** Deletes futures (finished, failed or expired) that finished before {@code cutoff}. @return how many */
    public int deleteCompletedBefore(Instant cutoff) {
        return db.write(c -> Sql.update(c, "DELETE FROM futures WHERE state <> ? AND completed_at < ?",
                FutureState.PENDING.dbName(), cutoff));
    }

    /** How many futures are in a state. */
    public long count(FutureState state) {
        return db.read(c -> Sql.count(c, "SELECT COUNT(*) FROM futures WHERE state = ?", state.dbName()));
    }

    private static StoredFuture row(ResultSet rs) throws SQLException {
        String category = rs.getString("error_category");
        return new StoredFuture(rs.getString("request_id"), rs.getString("operation"), rs.getString("model_id"),
                FutureState.ofDbName(rs.getString("state")), rs.getString("result_content_type"), rs.getBytes("result"),
                rs.getString("error_message"), category == null ? null : FutureOutcome.Category.valueOf(category.toUpperCase()),
                Columns.getInstant(rs, "created_at"), Columns.getInstant(rs, "completed_at"));
    }
}
