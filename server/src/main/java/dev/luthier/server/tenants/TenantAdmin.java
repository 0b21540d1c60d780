package dev.luthier.server.tenants;

import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.audit.AuditEvent;
import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.keys.KeyHash;
import dev.luthier.server.storage.tenants.Tenant;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Managing tenants and API keys, for the command line (on the database) and the admin routes (on a running server).
 * Keys are 32 random bytes, base64url, after the SDK's {@code tml-} prefix; only their SHA-256 is stored.
 */
public final class TenantAdmin {
    /** The tenant of keys given with {@code --bootstrap-key}. */
    public static final String DEFAULT_TENANT = "default";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Storage storage;
    private final Clock clock;

    public TenantAdmin(Storage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
    }

    /** Creates a tenant. @throws IllegalArgumentException when the name is taken */
    public Tenant createTenant(String name, Integer maxTrainingRuns, Integer maxSamplingRequests) {
        checkName(name, "tenant");
        Tenant t = new Tenant(name.equals(DEFAULT_TENANT) ? DEFAULT_TENANT : "tn-" + randomHex(8), name, clock.instant(),
                maxTrainingRuns, maxSamplingRequests);
        if (!storage.tenants().insert(t)) {
            throw new IllegalArgumentException("a tenant named " + name + " exists already");
        }
        return t;
    }

    public List<Tenant> tenants() {
        return storage.tenants().list();
    }

    /** The tenant with this name. @throws IllegalArgumentException when there is none */
    public Tenant tenant(String name) {
        return storage.tenants().findByName(name)
                .orElseThrow(() -> new IllegalArgumentException("no tenant named " + name + " (create it with `luthier tenants create`)"));
    }

    /** Sets a tenant's quotas (null: no limit). */
    public Tenant setQuotas(String tenantName, Integer maxTrainingRuns, Integer maxSamplingRequests) {
        Tenant t = tenant(tenantName);
        storage.tenants().setQuotas(t.id(), maxTrainingRuns, maxSamplingRequests);
        return t.withQuotas(maxTrainingRuns, maxSamplingRequests);
    }

    /**
     * Issues a new key for a tenant.
     *
     * @param actorKeyId the admin key that asked, or null (the command line)
     */
    public IssuedKey createKey(String tenantName, String keyName, boolean admin, String actorKeyId) {
        Tenant t = tenant(tenantName);
        String name = keyName == null || keyName.isBlank() ? "key" : keyName;
        checkName(name, "key");
        String secret = "tml-" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        ApiKey key = ApiKey.issued("key-" + randomHex(8), KeyHash.of(secret), name, clock.instant(), t.id(), admin);
        storage.database().writeVoid(c -> {
            storage.apiKeys().insert(key);
            audit(t.id(), actorKeyId, AuditEvent.KEY_CREATED, key.id() + " (" + name + (admin ? ", admin" : "") + ")");
        });
        return new IssuedKey(key, secret);
    }

    /** Registers a key given in clear (a {@code --bootstrap-key}) as an admin key of the tenant "default". */
    public ApiKey bootstrapKey(String secret) {
        if (!secret.startsWith("tml-") || secret.length() < 8) {
            throw new IllegalArgumentException("API keys start with tml- and have at least 4 more characters");
        }
        if (storage.tenants().get(DEFAULT_TENANT).isEmpty()) {
            storage.tenants().insert(Tenant.created(DEFAULT_TENANT, DEFAULT_TENANT, clock.instant()));
        }
        var existing = storage.apiKeys().findByHash(KeyHash.of(secret));
        if (existing.isPresent()) {
            ApiKey k = existing.get();
            if (k.tenantId() == null || !k.admin()) {
                storage.apiKeys().assign(k.id(), k.tenantId() == null ? DEFAULT_TENANT : k.tenantId(), true);
            }
            return storage.apiKeys().get(k.id()).orElseThrow();
        }
        ApiKey key = ApiKey.issued("key-" + randomHex(8), KeyHash.of(secret), "bootstrap", clock.instant(), DEFAULT_TENANT, true);
        storage.database().writeVoid(c -> {
            storage.apiKeys().insert(key);
            audit(DEFAULT_TENANT, null, AuditEvent.KEY_CREATED, key.id() + " (bootstrap, admin)");
        });
        return key;
    }

    /** Keys of one tenant, or of all with null. */
    public List<ApiKey> keys(String tenantName) {
        return tenantName == null ? storage.apiKeys().list() : storage.apiKeys().listByTenant(tenant(tenantName).id());
    }

    /**
     * Revokes a key at once.
     *
     * @param onlyTenant when not null, the key must belong to this tenant (an admin of one tenant)
     * @throws IllegalArgumentException when there is no such key or it is revoked already
     */
    public ApiKey revokeKey(String keyId, String onlyTenant, String actorKeyId) {
        ApiKey key = storage.apiKeys().get(keyId).filter(k -> onlyTenant == null || onlyTenant.equals(k.tenantId()))
                .orElseThrow(() -> new IllegalArgumentException("no key " + keyId));
        boolean revoked = storage.database().write(c -> {
            if (!storage.apiKeys().revoke(keyId, clock.instant())) {
                return false;
            }
            audit(key.tenantId() == null ? Tenant.LOCAL : key.tenantId(), actorKeyId, AuditEvent.KEY_REVOKED, key.id());
            return true;
        });
        if (!revoked) {
            throw new IllegalArgumentException("key " + keyId + " is revoked already");
        }
        return storage.apiKeys().get(keyId).orElseThrow();
    }

    private void audit(String tenantId, String actorKeyId, String event, String purpose) {
        storage.audit().append(new AuditEvent(UUID.randomUUID().toString(), tenantId, actorKeyId, clock.instant(), event,
                null, null, purpose));
    }

    private static void checkName(String name, String what) {
        if (name == null || name.isBlank() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a " + what + " name must be 1 to 100 printable characters, got \"" + name + "\"");
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String randomHex(int bytes) {
        return HexFormat.of().formatHex(randomBytes(bytes));
    }
}
