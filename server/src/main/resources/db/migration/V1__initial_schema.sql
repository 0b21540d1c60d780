-- Luthier's metadata schema. Written once for SQLite and PostgreSQL:
--   ids and JSON are TEXT, times are BIGINT epoch milliseconds, flags are BOOLEAN (SQLite stores 0/1),
--   raw bytes use the placeholder ${bytes} (BLOB on SQLite, BYTEA on PostgreSQL).

-- API keys: only a hash of each key is kept.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    key_hash     TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

-- Client sessions (POST /create_session), kept alive by heartbeats.
CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    api_key_id        TEXT REFERENCES api_keys (id),
    tags              TEXT NOT NULL,  -- JSON array of strings
    user_metadata     TEXT,           -- JSON object, or NULL
    sdk_version       TEXT,
    project_id        TEXT,
    created_at        BIGINT NOT NULL,
    last_heartbeat_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_owner ON sessions (api_key_id, created_at);
CREATE INDEX sessions_by_heartbeat ON sessions (last_heartbeat_at);

-- Training runs (a model id "<session>:train:<model_seq_id>").
CREATE TABLE training_runs (
    model_id        TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (id),
    model_seq_id    BIGINT NOT NULL,
    api_key_id      TEXT REFERENCES api_keys (id),  -- the session's, copied: the owner of the run
    base_model      TEXT NOT NULL,
    lora_rank       INTEGER,          -- NULL for a full fine-tune
    lora_alpha      DOUBLE PRECISION,
    lora_seed       BIGINT,
    train_attn      BOOLEAN NOT NULL,
    train_mlp       BOOLEAN NOT NULL,
    train_unembed   BOOLEAN NOT NULL,
    user_metadata   TEXT,             -- JSON object, or NULL
    state           TEXT NOT NULL CHECK (state IN ('active', 'unloaded', 'failed')),
    state_message   TEXT,
    created_at      BIGINT NOT NULL,
    last_request_at BIGINT NOT NULL,
    UNIQUE (session_id, model_seq_id)
);
CREATE INDEX training_runs_by_owner ON training_runs (api_key_id, created_at);
CREATE INDEX training_runs_by_created ON training_runs (created_at);
CREATE INDEX training_runs_by_state ON training_runs (state);

-- Sampling sessions (a sampler id "<session>:sample:<sampling_seq_id>").
CREATE TABLE sampling_sessions (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (id),
    sampling_seq_id BIGINT NOT NULL,
    base_model      TEXT NOT NULL,
    model_path      TEXT,             -- tinker:// path, or NULL for the base model alone
    created_at      BIGINT NOT NULL,
    UNIQUE (session_id, sampling_seq_id)
);

-- Saved checkpoints: tinker://<run>/weights/<name> (kind 'training') or .../sampler_weights/<name> ('sampler').
CREATE TABLE checkpoints (
    id              TEXT PRIMARY KEY,
    training_run_id TEXT NOT NULL REFERENCES training_runs (model_id),
    kind            TEXT NOT NULL CHECK (kind IN ('training', 'sampler')),
    name            TEXT NOT NULL,
    tinker_path     TEXT NOT NULL UNIQUE,  -- encodes (training_run_id, kind, name): the only key upserts name
    storage_path    TEXT NOT NULL,    -- the directory holding the files
    size_bytes      BIGINT,
    is_public       BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT            -- NULL: never expires
);
-- No second UNIQUE on (training_run_id, kind, name): PostgreSQL's ON CONFLICT arbitrates one unique index, and a
-- concurrent insert could trip the other.
CREATE INDEX checkpoints_by_run ON checkpoints (training_run_id, kind, created_at);
CREATE INDEX checkpoints_by_created ON checkpoints (created_at);
CREATE INDEX checkpoints_by_expiry ON checkpoints (expires_at);

-- Results of asynchronous requests, kept so that a restart loses no finished result.
CREATE TABLE futures (
    request_id          TEXT PRIMARY KEY,
    operation           TEXT NOT NULL,
    model_id            TEXT,
    state               TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'expired')),
    result_content_type TEXT,
    result              ${bytes},
    error_message       TEXT,
    error_category      TEXT,
    created_at          BIGINT NOT NULL,
    completed_at        BIGINT
);
CREATE INDEX futures_by_state ON futures (state, completed_at);

-- Dedupe of per-session counters: (session, 'train', model_seq_id) -> model id and the create request;
-- (session, 'sample', sampling_session_seq_id) -> sampling session id and the request, if any.
CREATE TABLE model_seq_dedupe (
    session_id TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('train', 'sample')),
    seq_id     BIGINT NOT NULL,
    target_id  TEXT NOT NULL,
    request_id TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, kind, seq_id)
);
