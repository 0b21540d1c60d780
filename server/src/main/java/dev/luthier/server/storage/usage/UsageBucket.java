package dev.luthier.server.storage.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Usage of one kind in one hour, by one tenant, for one training run or sampling session (the subject).
 *
 * @param quantity      tokens or checkpoints; 0 for storage
 * @param gigabyteHours storage; 0 for the other kinds
 */
public record UsageBucket(Instant bucketStart, String tenantId, String sessionId, String subjectId, String baseModel,
                          UsageKind kind, long quantity, double gigabyteHours) {
    public static final Duration LENGTH = Duration.ofHours(1);

    public UsageBucket {
        Objects.requireNonNull(bucketStart, "bucketStart");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(subjectId, "subjectId");
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(kind, "kind");
        if (!bucketStart.equals(hourOf(bucketStart))) {
            throw new IllegalArgumentException("a bucket starts on the hour, got " + bucketStart);
        }
        if (quantity < 0 || gigabyteHours < 0 || !Double.isFinite(gigabyteHours)) {
            throw new IllegalArgumentException("usage must be finite and non-negative");
        }
    }

    /** A count of tokens or checkpoints, in the bucket of {@code at}. */
    public static UsageBucket count(Instant at, String tenantId, String sessionId, String subjectId, String baseModel,
                                    UsageKind kind, long quantity) {
        return new UsageBucket(hourOf(at), tenantId, sessionId, subjectId, baseModel, kind, quantity, 0);
    }

    public static Instant hourOf(Instant at) {
        return at.truncatedTo(ChronoUnit.HOURS);
    }

    public Instant bucketEnd() {
        return bucketStart.plus(LENGTH);
    }
}
