package dev.luthier.server.storage;

import dev.luthier.server.storage.db.StorageException;
import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.keys.ApiKeyRepository;
import dev.luthier.server.storage.keys.KeyHash;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public interface ApiKeyRepositoryContract extends StorageFixture {
    private ApiKeyRepository keys() {
        return new ApiKeyRepository(db());
    }

    @Test
    default void apiKeyHashIsSha256Hex() {
        // Independent reference: SHA-256("abc") from FIPS 180-2, appendix B.1.
        assertThat(KeyHash.of("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    default void apiKeyIsFoundByHashOnly() {
        ApiKey k = ApiKey.issued("k-1", KeyHash.of("tml-abc"), "laptop", at(0));
        keys().insert(k);

        assertThat(keys().findByHash(KeyHash.of("tml-abc"))).contains(k);
        assertThat(keys().findByHash(KeyHash.of("tml-abd"))).isEmpty();
        assertThat(keys().get("k-1")).contains(k);
        assertThat(keys().list()).containsExactly(k);
    }

    @Test
    default void apiKeyHashIsUnique() {
        keys().insert(ApiKey.issued("k-1", KeyHash.of("tml-abc"), "a", at(0)));
        assertThatThrownBy(() -> keys().insert(ApiKey.issued("k-2", KeyHash.of("tml-abc"), "b", at(0))))
                .isInstanceOf(StorageException.class);
    }

    @Test
    default void apiKeyTouchRecordsTheLatestUse() {
        ApiKeysFixture.key(db(), "k-1", at(0));

        assertThat(keys().touch("k-1", at(2_000))).isTrue();
        assertThat(keys().touch("k-1", at(1_000))).isTrue();
        assertThat(keys().touch("missing", at(1_000))).isFalse();

        assertThat(keys().get("k-1").orElseThrow().lastUsedAt()).isEqualTo(at(2_000));
    }

    @Test
    default void apiKeyRevokedOnceStaysRevokedAtTheFirstTime() {
        ApiKeysFixture.key(db(), "k-1", at(0));
        assertThat(keys().get("k-1").orElseThrow().revoked()).isFalse();

        assertThat(keys().revoke("k-1", at(1_000))).isTrue();
        assertThat(keys().revoke("k-1", at(2_000))).isFalse();
        assertThat(keys().revoke("missing", at(2_000))).isFalse();

        ApiKey back = keys().get("k-1").orElseThrow();
        assertThat(back.revoked()).isTrue();
        assertThat(back.revokedAt()).isEqualTo(at(1_000));
    }
}
