package dev.luthier.server.tenants;

import dev.luthier.server.storage.keys.ApiKey;

/**
 * A key just created: its stored form, and the secret, which is shown once and never stored.
 *
 * @param secret {@code tml-...}
 */
public record IssuedKey(ApiKey key, String secret) {
    @Override
    public String toString() {
        return "IssuedKey[" + key.id() + "]";
    }
}
