package dev.luthier.server.tenants;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counts each tenant's requests in flight and refuses one beyond its limit. */
public final class InFlightLimiter {
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    /**
     * Takes a slot for the tenant unless {@code limit} are taken already.
     *
     * @param limit null for no limit
     * @return false when the tenant is at its limit (nothing is taken)
     */
    public boolean tryAcquire(String tenantId, Integer limit) {
        boolean[] taken = {false};
        inFlight.compute(tenantId, (t, n) -> {
            int current = n == null ? 0 : n;
            if (limit != null && current >= limit) {
                return n;
            }
            taken[0] = true;
            return current + 1;
        });
        return taken[0];
    }

    /** Gives back a slot taken by {@link #tryAcquire}. */
    public void release(String tenantId) {
        inFlight.computeIfPresent(tenantId, (t, n) -> n <= 1 ? null : n - 1);
    }

    public int inFlight(String tenantId) {
        return inFlight.getOrDefault(tenantId, 0);
    }

    /** Every tenant's count, for metrics. */
    public Map<String, Integer> snapshot() {
        return Map.copyOf(inFlight);
    }
}
