package dev.luthier.server.tenants;

import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.storage.tenants.TenantRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tenants' quotas, read from the database and cached for a while, so a quota changed with {@code luthier tenants
 * quota} applies within {@link #REFRESH}.
 */
public final class Quotas {
    public static final Duration REFRESH = Duration.ofSeconds(30);

    private final TenantRepository tenants;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Optional<Tenant> tenant, Instant readAt) {
    }

    public Quotas(TenantRepository tenants, Clock clock) {
        this.tenants = tenants;
        this.clock = clock;
    }

    /** Training runs the tenant may have loaded at once; null for no limit (or no tenant). */
    public Integer maxTrainingRuns(String tenantId) {
        return tenant(tenantId).map(Tenant::maxTrainingRuns).orElse(null);
    }

    /** Sampling requests the tenant may have in flight at once; null for no limit (or no tenant). */
    public Integer maxSamplingRequests(String tenantId) {
        return tenant(tenantId).map(Tenant::maxSamplingRequests).orElse(null);
    }

    /** Forgets what was read, so the next lookup reads the database. */
    public void refresh() {
        cache.clear();
    }

    private Optional<Tenant> tenant(String tenantId) {
        if (tenantId == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Cached c = cache.get(tenantId);
        if (c == null || now.isAfter(c.readAt().plus(REFRESH))) {
            c = new Cached(tenants.get(tenantId), now);
            cache.put(tenantId, c);
        }
        return c.tenant();
    }
}
