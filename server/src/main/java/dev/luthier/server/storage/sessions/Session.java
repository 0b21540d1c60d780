package dev.luthier.server.storage.sessions;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A client session ({@code POST /create_session}).
 *
 * @param apiKeyId     the key that created it; null on a server without authentication
 * @param tags         from {@code TINKER_TAGS}
 * @param userMetadata arbitrary JSON object, or null
 */
public record Session(String id, String apiKeyId, List<String> tags, Map<String, Object> userMetadata,
                      String sdkVersion, String projectId, Instant createdAt, Instant lastHeartbeatAt) {
    public Session {
        Objects.requireNonNull(id, "id");
        tags = tags == null ? List.of() : List.copyOf(tags);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastHeartbeatAt, "lastHeartbeatAt");
    }

    /** A new session whose first heartbeat is its creation. */
    public static Session started(String id, String apiKeyId, List<String> tags, Map<String, Object> userMetadata,
                                  String sdkVersion, String projectId, Instant at) {
        return new Session(id, apiKeyId, tags, userMetadata, sdkVersion, projectId, at, at);
    }
}
