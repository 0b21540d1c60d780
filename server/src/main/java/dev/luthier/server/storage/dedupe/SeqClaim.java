package dev.luthier.server.storage.dedupe;

import java.time.Instant;
import java.util.Objects;

/**
 * The first request seen for one value of a session's counter, and what it made.
 *
 * @param targetId  the model id or sampling session id the request creates
 * @param requestId the future that answers it, or null for a synchronous call (create_sampling_session)
 */
public record SeqClaim(String sessionId, SeqCounter counter, long seqId, String targetId, String requestId,
                       Instant createdAt) {
    public SeqClaim {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(counter, "counter");
        Objects.requireNonNull(targetId, "targetId");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
