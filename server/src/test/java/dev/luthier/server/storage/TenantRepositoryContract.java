package dev.luthier.server.storage;

import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.keys.ApiKeyRepository;
import dev.luthier.server.storage.keys.KeyHash;
import dev.luthier.server.storage.db.Owner;
import dev.luthier.server.storage.db.PageRequest;
import dev.luthier.server.storage.runs.TrainingRun;
import dev.luthier.server.storage.runs.TrainingRunRepository;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.storage.sessions.SessionRepository;
import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.storage.tenants.TenantRepository;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public interface TenantRepositoryContract extends StorageFixture {
    private TenantRepository tenants() {
        return new TenantRepository(db());
    }

    @Test
    default void tenantNamesAndIdsAreUnique() {
        assertThat(tenants().insert(Tenant.created("t-1", "acme", at(0)))).isTrue();
        assertThat(tenants().insert(Tenant.created("t-2", "acme", at(1)))).isFalse();
        assertThat(tenants().insert(Tenant.created("t-1", "globex", at(1)))).isFalse();
        assertThat(tenants().insert(Tenant.created("t-3", "globex", at(2)))).isTrue();

        assertThat(tenants().list()).extracting(Tenant::name).containsExactly("acme", "globex");
        assertThat(tenants().findByName("globex").orElseThrow().id()).isEqualTo("t-3");
        assertThat(tenants().get("t-9")).isEmpty();
    }

    @Test
    default void tenantQuotasAreStoredAndCleared() {
        tenants().insert(Tenant.created("t-1", "acme", at(0)));
        assertThat(tenants().setQuotas("t-1", 2, 5)).isTrue();
        assertThat(tenants().get("t-1").orElseThrow()).isEqualTo(new Tenant("t-1", "acme", at(0), 2, 5));
        assertThat(tenants().setQuotas("t-1", null, null)).isTrue();
        assertThat(tenants().get("t-1").orElseThrow().maxTrainingRuns()).isNull();
        assertThat(tenants().setQuotas("t-9", 1, 1)).isFalse();
        assertThatThrownBy(() -> tenants().setQuotas("t-1", 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void keysBelongToTenantsAndRowsFollowTheirKeysTenant() {
        tenants().insert(Tenant.created("t-a", "acme", at(0)));
        tenants().insert(Tenant.created("t-b", "globex", at(0)));
        ApiKeyRepository keys = new ApiKeyRepository(db());
        keys.insert(ApiKey.issued("k-a1", KeyHash.of("tml-a1"), "a1", at(0), "t-a", true));
        keys.insert(ApiKey.issued("k-a2", KeyHash.of("tml-a2"), "a2", at(1), "t-a", false));
        keys.insert(ApiKey.issued("k-b", KeyHash.of("tml-b"), "b", at(2), "t-b", false));
        assertThat(keys.listByTenant("t-a")).extracting(ApiKey::id).containsExactly("k-a1", "k-a2");
        assertThat(keys.get("k-a1").orElseThrow().admin()).isTrue();
        assertThat(keys.get("k-b").orElseThrow().tenantId()).isEqualTo("t-b");

        Session a1 = Fixtures.session(db(), "s-a1", "k-a1", at(10));
        Session a2 = Fixtures.session(db(), "s-a2", "k-a2", at(11));
        Session b = Fixtures.session(db(), "s-b", "k-b", at(12));
        TrainingRun ra = Fixtures.run(db(), a2, 0, at(13));
        Fixtures.run(db(), b, 0, at(14));

        // A tenant sees the rows of all its keys, and none of the other tenant's.
        assertThat(new SessionRepository(db()).list(Owner.tenant("t-a"), PageRequest.first(10)).items())
                .extracting(Session::id).containsExactly(a2.id(), a1.id());
        assertThat(new TrainingRunRepository(db()).list(Owner.tenant("t-a"), PageRequest.first(10)).items())
                .extracting(TrainingRun::modelId).containsExactly(ra.modelId());
        assertThat(new TrainingRunRepository(db()).list(Owner.tenant("t-c"), PageRequest.first(10)).totalCount()).isZero();
    }
}
