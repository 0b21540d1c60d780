package dev.luthier.server.tenants;

import dev.luthier.server.storage.tenants.Tenant;

/**
 * Who a request comes from.
 *
 * @param apiKeyId the key's id; null on a server without keys
 * @param tenantId the key's tenant; null on a server without keys, where everything is visible to everyone
 * @param admin    whether the key may manage tenants and keys
 */
public record Principal(String apiKeyId, String tenantId, boolean admin) {
    /** A caller on a server without keys. */
    public static final Principal OPEN = new Principal(null, null, false);

    /** True when the caller sees every row (a server without keys). */
    public boolean unrestricted() {
        return tenantId == null;
    }

    /** The tenant that usage and audit records are written under. */
    public String accountTenant() {
        return tenantId != null ? tenantId : Tenant.LOCAL;
    }

    /** Whether rows of {@code ownerTenant} are this caller's. */
    public boolean owns(String ownerTenant) {
        return unrestricted() || tenantId.equals(ownerTenant);
    }
}
