package dev.luthier.server.storage.tenants;

import java.time.Instant;
import java.util.Objects;

/**
 * A tenant: an organisation or a team that owns API keys, and through them sessions, runs and checkpoints.
 *
 * @param maxTrainingRuns     training runs it may have loaded at once; null for no limit
 * @param maxSamplingRequests sampling requests it may have in flight at once; null for no limit
 */
public record Tenant(String id, String name, Instant createdAt, Integer maxTrainingRuns, Integer maxSamplingRequests) {
    /** The tenant of usage and audit records on a server without API keys. */
    public static final String LOCAL = "local";

    public Tenant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a tenant needs a name");
        }
        checkQuotas(maxTrainingRuns, maxSamplingRequests);
    }

    /** Refuses a quota below 1 (null, no limit, is fine). */
    public static void checkQuotas(Integer maxTrainingRuns, Integer maxSamplingRequests) {
        if (maxTrainingRuns != null && maxTrainingRuns < 1) {
            throw new IllegalArgumentException("max training runs must be at least 1, got " + maxTrainingRuns);
        }
        if (maxSamplingRequests != null && maxSamplingRequests < 1) {
            throw new IllegalArgumentException("max sampling requests must be at least 1, got " + maxSamplingRequests);
        }
    }

    public static Tenant created(String id, String name, Instant at) {
        return new Tenant(id, name, at, null, null);
    }

    public Tenant withQuotas(Integer maxTrainingRuns, Integer maxSamplingRequests) {
        return new Tenant(id, name, createdAt, maxTrainingRuns, maxSamplingRequests);
    }
}
