package dev.luthier.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.server.service.ServiceException;
import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.tenants.IssuedKey;
import dev.luthier.server.tenants.Principal;
import dev.luthier.server.tenants.TenantAdmin;
import io.javalin.Javalin;

import java.time.Instant;
import java.util.List;

import static dev.luthier.server.http.ApiServer.json;
import static dev.luthier.server.http.ApiServer.principal;
import static dev.luthier.server.http.ApiServer.read;

/**
 * Tenants and keys on a running server, for admin keys only (403 otherwise): {@code POST/GET /admin/tenants},
 * {@code POST/GET /admin/keys}, {@code DELETE /admin/keys/{id}} (revoke). Not part of Tinker's API.
 */
final class AdminRoutes {
    private final TenantAdmin admin;

    AdminRoutes(TenantAdmin admin) {
        this.admin = admin;
    }

    record CreateTenantRequest(@JsonProperty(value = "name", required = true) String name,
                               @JsonProperty("max_training_runs") Integer maxTrainingRuns,
                               @JsonProperty("max_sampling_requests") Integer maxSamplingRequests) {
    }

    record TenantView(@JsonProperty("id") String id, @JsonProperty("name") String name,
                      @JsonProperty("created_at") Instant createdAt,
                      @JsonProperty("max_training_runs") Integer maxTrainingRuns,
                      @JsonProperty("max_sampling_requests") Integer maxSamplingRequests) {
        static TenantView of(Tenant t) {
            return new TenantView(t.id(), t.name(), t.createdAt(), t.maxTrainingRuns(), t.maxSamplingRequests());
        }
    }

    record CreateKeyRequest(@JsonProperty(value = "tenant", required = true) String tenant,
                            @JsonProperty("name") String name, @JsonProperty("admin") Boolean admin) {
    }

    /** A key as listed; {@code key} (the secret) only in the answer to its creation. */
    record KeyView(@JsonProperty("id") String id, @JsonProperty("tenant_id") String tenantId,
                   @JsonProperty("name") String name, @JsonProperty("admin") boolean admin,
                   @JsonProperty("created_at") Instant createdAt, @JsonProperty("last_used_at") Instant lastUsedAt,
                   @JsonProperty("revoked_at") Instant revokedAt, @JsonProperty("key") String key) {
        static KeyView of(ApiKey k, String secret) {
            return new KeyView(k.id(), k.tenantId(), k.name(), k.admin(), k.createdAt(), k.lastUsedAt(), k.revokedAt(), secret);
        }
    }

    record TenantsResponse(@JsonProperty("tenants") List<TenantView> tenants) {
    }

    record KeysResponse(@JsonProperty("keys") List<KeyView> keys) {
    }

    void register(Javalin app, String prefix) {
        app.before(prefix + "admin/*", ctx -> {
            Principal p = principal(ctx);
            if (p != null && !p.admin()) {
                throw new ServiceException(403, "this route needs an admin key (luthier keys create --admin)");
            }
        });
        app.post(prefix + "admin/tenants", ctx -> {
            CreateTenantRequest req = read(ctx, CreateTenantRequest.class);
            json(ctx, TenantView.of(admin.createTenant(req.name(), req.maxTrainingRuns(), req.maxSamplingRequests())));
        });
        app.get(prefix + "admin/tenants", ctx -> json(ctx, new TenantsResponse(admin.tenants().stream().map(TenantView::of).toList())));
        app.post(prefix + "admin/keys", ctx -> {
            CreateKeyRequest req = read(ctx, CreateKeyRequest.class);
            IssuedKey issued = admin.createKey(req.tenant(), req.name(), req.admin() != null && req.admin(), principal(ctx).apiKeyId());
            json(ctx, KeyView.of(issued.key(), issued.secret()));
        });
        app.get(prefix + "admin/keys", ctx -> json(ctx, new KeysResponse(admin.keys(ctx.queryParam("tenant")).stream()
                .map(k -> KeyView.of(k, null)).toList())));
        app.delete(prefix + "admin/keys/{id}", ctx -> json(ctx, KeyView.of(admin.revokeKey(ctx.pathParam("id"), null,
                principal(ctx).apiKeyId()), null)));
    }

}
