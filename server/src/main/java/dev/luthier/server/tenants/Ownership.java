package dev.luthier.server.tenants;

import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.server.storage.ids.TinkerIds;
import dev.luthier.server.storage.tenants.Tenant;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which tenant owns what. Rows carry the API key that created their session; a key's tenant never changes, nor does
 * a session's key, so both lookups are cached. Training runs, sampling sessions and futures are owned through the
 * session their id starts with.
 */
public final class Ownership {
    /** The tenant of rows created on a server without keys, or whose key was deleted. */
    private static final String NOBODY = "";
    private static final int CACHE_LIMIT = 100_000;

    private final Storage storage;
    private final Map<String, String> keyTenants = new ConcurrentHashMap<>();
    private final Map<String, String> sessionTenants = new ConcurrentHashMap<>();

    public Ownership(Storage storage) {
        this.storage = storage;
    }

    /** The tenant of a key; {@link Tenant#LOCAL} for rows made without a key. */
    public String tenantOfKey(String apiKeyId) {
        if (apiKeyId == null) {
            return Tenant.LOCAL;
        }
        String cached = keyTenants.get(apiKeyId);
        if (cached != null) {
            return cached;
        }
        String tenant = storage.apiKeys().get(apiKeyId).map(k -> k.tenantId() == null ? "key:" + k.id() : k.tenantId()).orElse(NOBODY);
        remember(keyTenants, apiKeyId, tenant);
        return tenant;
    }

    /** The tenant of a session, or empty when there is no such session. */
    public Optional<String> tenantOfSession(String sessionId) {
        if (sessionId == null) {
            return Optional.empty();
        }
        String cached = sessionTenants.get(sessionId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> tenant = storage.sessions().get(sessionId).map(s -> tenantOfKey(s.apiKeyId()));
        tenant.ifPresent(t -> remember(sessionTenants, sessionId, t));
        return tenant;
    }

    /** The tenant of a training run or sampling session id ({@code <session>:train:<n>}, {@code <session>:sample:<n>}). */
    public Optional<String> tenantOfScope(String id) {
        return tenantOfSession(TinkerIds.sessionOf(id));
    }

    /** Whether the caller may use a session. */
    public boolean ownsSession(Principal p, String sessionId) {
        return p.unrestricted() || tenantOfSession(sessionId).map(p::owns).orElse(false);
    }

    /** Whether the caller may use a training run, a sampling session or a future of one. */
    public boolean ownsScope(Principal p, String id) {
        return p.unrestricted() || tenantOfScope(id).map(p::owns).orElse(false);
    }

    /** Whether the caller may change a checkpoint (its run is theirs). */
    public boolean ownsCheckpoint(Principal p, Checkpoint cp) {
        return ownsScope(p, cp.trainingRunId());
    }

    /** Whether the caller may read a checkpoint: theirs, or published by anyone. */
    public boolean canRead(Principal p, Checkpoint cp) {
        return cp.isPublic() || ownsCheckpoint(p, cp);
    }

    private static void remember(Map<String, String> cache, String key, String value) {
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(key, value);
    }
}
