package dev.luthier.server.http;

import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.keys.ApiKeyRepository;
import dev.luthier.server.storage.keys.KeyHash;
import dev.luthier.server.tenants.Principal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API-key checks: the SDK sends {@code X-API-Key} and insists on the {@code tml-} prefix. Keys are stored hashed and
 * looked up on every request, so a revoked key fails on its next request. While no key exists at all the server is
 * open: any {@code tml-} key is accepted and every caller sees everything (it says so at start-up); the first key
 * created, even by another process on the same database, closes it within a second.
 */
public final class ApiKeyAuth {
    public static final String HEADER = "X-API-Key";
    /** How often a key's last use is written (a write per request would serialise SQLite). */
    private static final Duration TOUCH_EVERY = Duration.ofSeconds(10);
    private static final Duration OPEN_RECHECK = Duration.ofSeconds(1);

    private final ApiKeyRepository keys;
    private final Clock clock;
    private volatile boolean open;
    private volatile Instant openCheckedAt;
    private final Map<String, Instant> touched = new ConcurrentHashMap<>();

    public ApiKeyAuth(ApiKeyRepository keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
        this.open = !keys.any();
        this.openCheckedAt = clock.instant();
    }

    /** True while no key is registered, so any {@code tml-} key is accepted. */
    public boolean open() {
        if (open) {
            Instant now = clock.instant();
            if (now.isAfter(openCheckedAt.plus(OPEN_RECHECK))) {
                openCheckedAt = now;
                open = !keys.any();
            }
        }
        return open;
    }

    /** The caller, or empty when the request is not authenticated (missing, unknown or revoked key). */
    public Optional<Principal> authenticate(String header) {
        if (header == null || !header.startsWith("tml-")) {
            return Optional.empty();
        }
        if (open()) {
            return Optional.of(Principal.OPEN);
        }
        Optional<ApiKey> found = keys.findByHash(KeyHash.of(header));
        if (found.isEmpty() || found.get().revoked()) {
            return Optional.empty();
        }
        ApiKey key = found.get();
        Instant now = clock.instant();
        Instant last = touched.get(key.id());
        if (last == null || now.isAfter(last.plus(TOUCH_EVERY))) {
            touched.put(key.id(), now);
            keys.touch(key.id(), now);
        }
        // A key from before tenants (none after migration V2) is its own tenant.
        return Optional.of(new Principal(key.id(), key.tenantId() != null ? key.tenantId() : "key:" + key.id(), key.admin()));
    }
}
