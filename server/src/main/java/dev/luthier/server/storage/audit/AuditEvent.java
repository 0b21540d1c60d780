package dev.luthier.server.storage.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a tenant's audit log.
 *
 * @param apiKeyId who did it, or null for the server itself (an expiry) or the command line
 * @param event    {@code checkpoint_saved}, {@code checkpoint_loaded}, {@code checkpoint_published},
 *                 {@code checkpoint_unpublished}, {@code checkpoint_deleted}, {@code checkpoint_expired},
 *                 {@code key_created}, {@code key_revoked}
 * @param purpose  free text: why, or what else is worth knowing (the key id of a key event)
 */
public record AuditEvent(String id, String tenantId, String apiKeyId, Instant at, String event, String modelId,
                         String tinkerPath, String purpose) {
    public static final String CHECKPOINT_SAVED = "checkpoint_saved";
    public static final String CHECKPOINT_LOADED = "checkpoint_loaded";
    public static final String CHECKPOINT_PUBLISHED = "checkpoint_published";
    public static final String CHECKPOINT_UNPUBLISHED = "checkpoint_unpublished";
    public static final String CHECKPOINT_DELETED = "checkpoint_deleted";
    public static final String CHECKPOINT_EXPIRED = "checkpoint_expired";
    public static final String KEY_CREATED = "key_created";
    public static final String KEY_REVOKED = "key_revoked";

    public AuditEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(event, "event");
    }

    public boolean aboutCheckpoints() {
        return event.startsWith("checkpoint_");
    }
}
