package dev.luthier.server.storage.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * An API key as stored: never the key itself, only its hash ({@link KeyHash}).
 *
 * @param lastUsedAt null until first used
 * @param revokedAt  null while the key is valid
 */
public record ApiKey(String id, String keyHash, String name, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public static ApiKey issued(String id, String keyHash, String name, Instant at) {
        return new ApiKey(id, keyHash, name, at, null, null);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
