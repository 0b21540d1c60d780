package dev.luthier.server.storage.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * An API key as stored: never the key itself, only its hash ({@link KeyHash}).
 *
 * @param tenantId   the tenant it acts for; null only for keys written before tenants existed
 * @param admin      whether it may manage tenants and keys on a running server
 * @param lastUsedAt null until first used
 * @param revokedAt  null while the key is valid
 */
public record ApiKey(String id, String keyHash, String name, Instant createdAt, Instant lastUsedAt, Instant revokedAt,
                     String tenantId, boolean admin) {
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** A key of no tenant, not admin. */
    public static ApiKey issued(String id, String keyHash, String name, Instant at) {
        return new ApiKey(id, keyHash, name, at, null, null, null, false);
    }

    /** A key of a tenant. */
    public static ApiKey issued(String id, String keyHash, String name, Instant at, String tenantId, boolean admin) {
        return new ApiKey(id, keyHash, name, at, null, null, Objects.requireNonNull(tenantId, "tenantId"), admin);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
