package dev.luthier.server.http;

import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.keys.ApiKeyRepository;
import dev.luthier.server.storage.keys.KeyHash;

import java.time.Clock;
import java.util.Optional;

/**
 * Minimal API-key checks: the SDK sends {@code X-API-Key} and insists on the {@code tml-} prefix. Keys are stored
 * hashed. With no key registered the server accepts any {@code tml-} key (and says so at start-up).
 */
public final class ApiKeyAuth {
    public static final String HEADER = "X-API-Key";
    private final ApiKeyRepository keys;
    private final Clock clock;
    private final boolean open;

    public ApiKeyAuth(ApiKeyRepository keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
        this.open = keys.list().isEmpty();
    }

    /** True when no key is registered, so any {@code tml-} key is accepted. */
    public boolean open() {
        return open;
    }

    /** Who a request comes from: the id of its key, null on an open server. */
    public record Principal(String apiKeyId) {
    }

    /** The caller, or empty when the request is not authenticated. */
    public Optional<Principal> authenticate(String header) {
        if (header == null || !header.startsWith("tml-")) {
            return Optional.empty();
        }
        if (open) {
            return Optional.of(new Principal(null));
        }
        Optional<ApiKey> key = keys.findByHash(KeyHash.of(header));
        if (key.isEmpty() || key.get().revokedAt() != null) {
            return Optional.empty();
        }
        keys.touch(key.get().id(), clock.instant());
        return Optional.of(new Principal(key.get().id()));
    }
}
