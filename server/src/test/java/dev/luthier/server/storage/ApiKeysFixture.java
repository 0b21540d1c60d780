package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.keys.ApiKeyRepository;
import dev.luthier.server.storage.keys.KeyHash;

import java.time.Instant;

final class ApiKeysFixture {
    private ApiKeysFixture() {
    }

    static ApiKey key(Database db, String id, Instant at) {
        ApiKey k = ApiKey.issued(id, KeyHash.of("tml-secret-" + id), "key " + id, at);
        new ApiKeyRepository(db).insert(k);
        return k;
    }
}
