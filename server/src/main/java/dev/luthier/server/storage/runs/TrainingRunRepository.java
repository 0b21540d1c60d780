package dev.luthier.server.storage.runs;

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

/**
 * Training runs. Listings are newest first; runs created in the same millisecond come in descending
 * {@code (session_id, model_seq_id)} order, so pages never overlap or skip.
 */
public final class TrainingRunRepository {
    private static final String COLUMNS = "model_id, session_id, model_seq_id, api_key_id, base_model, lora_rank, "
            + "lora_alpha, lora_seed, train_attn, train_mlp, train_unembed, user_metadata, state, state_message, "
            + "created_at, last_request_at";
    private static final String NEWEST_FIRST = " ORDER BY created_at DESC, session_id DESC, model_seq_id DESC";

    private final Database db;

    public TrainingRunRepository(Database db) {
        this.db = db;
    }

    public void create(TrainingRun r) {
        LoraSettings l = r.lora();
        db.write(c -> Sql.update(c, "INSERT INTO training_runs (" + COLUMNS + ") "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.modelId(), r.sessionId(), r.modelSeqId(), r.apiKeyId(), r.baseModel(), l.rank(), l.alpha(), l.seed(),
                l.trainAttn(), l.trainMlp(), l.trainUnembed(), JsonText.write(r.userMetadata()), r.state().dbName(),
                r.stateMessage(), r.createdAt(), r.lastRequestAt()));
    }

    public Optional<TrainingRun> get(String modelId) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM training_runs WHERE model_id = ?",
                TrainingRunRepository::row, modelId));
    }

    /** {@code GET /training_runs?limit=&offset=}: the owner's runs, newest first, with the total for the cursor. */
    public Page<TrainingRun> list(Owner owner, PageRequest page) {
        Condition owned = Condition.owner(owner, "api_key_id");
        return db.read(c -> {
            long total = Sql.count(c, "SELECT COUNT(*) FROM training_runs WHERE " + owned.sql(), owned.params());
            List<TrainingRun> items = Sql.list(c, "SELECT " + COLUMNS + " FROM training_runs WHERE " + owned.sql()
                    + NEWEST_FIRST + " LIMIT ? OFFSET ?", TrainingRunRepository::row, Sql.withPage(page, owned.params()));
            return Page.of(items, page, total);
        });
    }

    /** The ids of a session's runs in creation order ({@code GET /sessions/{id}}). */
    public List<String> listIdsBySession(String sessionId) {
        return db.read(c -> Sql.list(c, "SELECT model_id FROM training_runs WHERE session_id = ? ORDER BY model_seq_id",
                rs -> rs.getString(1), sessionId));
    }

    /** The runs in a state, oldest first (e.g. the active ones at startup). */
    public List<TrainingRun> listByState(RunState state) {
        return db.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM training_runs WHERE state = ?"
                + " ORDER BY created_at, session_id, model_seq_id", TrainingRunRepository::row, state.dbName()));
    }

    /** Records that a request arrived; an older time than the one recorded is ignored. @return false if unknown */
    public boolean touch(String modelId, Instant at) {
        return db.write(c -> Sql.update(c, "UPDATE training_runs SET last_request_at = "
                + "CASE WHEN last_request_at < ? THEN ? ELSE last_request_at END WHERE model_id = ?", at, at, modelId)) == 1;
    }

    /** @param message why, or null; @return false when no such run exists */
    public boolean setState(String modelId, RunState state, String message) {
        return db.write(c -> Sql.update(c, "UPDATE training_runs SET state = ?, state_message = ? WHERE model_id = ?",
                state.dbName(), message, modelId)) == 1;
    }

    /** Moves every run in state {@code from} to {@code to} (at startup: active runs lost their weights). */
    public int changeAllStates(RunState from, RunState to, String message) {
        return db.write(c -> Sql.update(c, "UPDATE training_runs SET state = ?, state_message = ? WHERE state = ?",
                to.dbName(), message, from.dbName()));
    }

    private static TrainingRun row(ResultSet rs) throws SQLException {
        LoraSettings lora = new LoraSettings(Columns.getInteger(rs, "lora_rank"), Columns.getDouble(rs, "lora_alpha"),
                Columns.getLong(rs, "lora_seed"), rs.getBoolean("train_attn"), rs.getBoolean("train_mlp"),
                rs.getBoolean("train_unembed"));
        return new TrainingRun(rs.getString("model_id"), rs.getString("session_id"), rs.getLong("model_seq_id"),
                rs.getString("api_key_id"), rs.getString("base_model"), lora,
                JsonText.readMap(rs.getString("user_metadata")), RunState.ofDbName(rs.getString("state")),
                rs.getString("state_message"), Columns.getInstant(rs, "created_at"),
                Columns.getInstant(rs, "last_request_at"));
    }
}
