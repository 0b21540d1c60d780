package dev.luthier.server.storage.db;

/**
 * A piece of a WHERE clause with its parameters, for filters built at run time.
 *
 * @param sql    a boolean SQL expression with {@code ?} placeholders
 * @param params the values for those placeholders, in order
 */
public record Condition(String sql, Object... params) {
    /** Rows owned by {@code owner}, where {@code apiKeyColumn} holds the creating API key. */
    public static Condition owner(Owner owner, String apiKeyColumn) {
        return switch (owner) {
            case Owner.Anyone _ -> new Condition("1 = 1");
            case Owner.ApiKey k -> new Condition(apiKeyColumn + " = ?", k.apiKeyId());
            case Owner.Tenant t -> new Condition(apiKeyColumn + " IN (SELECT id FROM api_keys WHERE tenant_id = ?)", t.tenantId());
        };
    }
}
