package dev.luthier.server.storage.db;

/**
 * Whose rows a listing shows ({@code access_scope=owned}). Ownership follows the API key that created the session;
 * tenants will add a case here.
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

    static Owner anyone() {
        return new Anyone();
    }

    static Owner apiKey(String apiKeyId) {
        return new ApiKey(apiKeyId);
    }
}
