package dev.luthier.server.storage.db;

/**
 * Whose rows a listing shows ({@code access_scope=owned}). A row belongs to the API key that created its session,
 * and through that key to the key's tenant.
 */
public sealed interface Owner {
    /** A server without authentication: every row belongs to the one user. */
    record Anyone() implements Owner {
    }

    /** The rows created through one API key. */
    record ApiKey(String apiKeyId) implements Owner {
        public ApiKey {
            java.util.Objects.requireNonNull(apiKeyId, "apiKeyId");
        }
    }

    /** The rows created through any key of one tenant. */
    record Tenant(String tenantId) implements Owner {
        public Tenant {
            java.util.Objects.requireNonNull(tenantId, "tenantId");
        }
    }

    static Owner tenant(String tenantId) {
        return new Tenant(tenantId);
    }

    static Owner anyone() {
        return new Anyone();
    }

    static Owner apiKey(String apiKeyId) {
        return new ApiKey(apiKeyId);
    }
}
