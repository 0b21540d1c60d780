-- Tenants, usage metering and the audit log. Same portability rules as V1.

-- A tenant (an organisation or a team) owns API keys; whatever a key creates belongs to its tenant.
CREATE TABLE tenants (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL UNIQUE,
    created_at            BIGINT NOT NULL,
    max_training_runs     INTEGER,  -- training runs loaded at once; NULL: no limit
    max_sampling_requests INTEGER   -- sampling requests in flight at once; NULL: no limit
);

ALTER TABLE api_keys ADD COLUMN tenant_id TEXT REFERENCES tenants (id);
ALTER TABLE api_keys ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id);

-- Keys issued before tenants existed join the tenant "default".
INSERT INTO tenants (id, name, created_at)
    SELECT 'default', 'default', created_at FROM api_keys ORDER BY created_at LIMIT 1;
UPDATE api_keys SET tenant_id = 'default' WHERE tenant_id IS NULL;

-- Usage in hourly buckets, per tenant and per training run or sampling session (the subject).
CREATE TABLE usage_buckets (
    bucket_start   BIGINT NOT NULL,   -- the start of the hour
    tenant_id      TEXT NOT NULL,     -- 'local' on a server without keys
    session_id     TEXT NOT NULL,
    subject_id     TEXT NOT NULL,     -- the training run or sampling session
    base_model     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('training', 'sampling_prefill', 'sampling_prefill_cached',
                                                 'sampling_sample', 'checkpoint', 'storage')),
    quantity       BIGINT NOT NULL,   -- tokens or checkpoints (0 for storage)
    gigabyte_hours DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (bucket_start, tenant_id, session_id, subject_id, base_model, kind)
);
CREATE INDEX usage_by_tenant ON usage_buckets (tenant_id, bucket_start);

-- Until when a checkpoint's storage has been metered (NULL: since its creation).
ALTER TABLE checkpoints ADD COLUMN storage_metered_until BIGINT;

-- Checkpoint and key events, per tenant.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    api_key_id  TEXT,               -- who did it; NULL for the server itself (expiry) or the command line
    at          BIGINT NOT NULL,
    event       TEXT NOT NULL,
    model_id    TEXT,
    tinker_path TEXT,
    purpose     TEXT
);
CREATE INDEX audit_by_tenant ON audit_log (tenant_id, at);
